// The Kafka side of a service: the outbox relay that publishes a store's events, and the
// consumer loop that applies other services' events. Both speak librdkafka to any
// Kafka-protocol broker: a real cluster, or librdkafka's mock cluster (EmbeddedBroker).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "breach/v1/envelope.pb.h"

namespace breachd::bus {

inline constexpr char kBreachEventsTopic[] = "breach.events.v1";
// The SIEM feed (no personal data); created by EmbeddedBroker next to the events topic.
inline constexpr char kSiemTopic[] = "breach.siem.v1";
// The --kafka value that runs an in-process EmbeddedBroker instead of connecting out.
inline constexpr char kEmbeddedKafka[] = "embedded";

// The largest message the outbox relay's producer sends (librdkafka's message.max.bytes, set
// explicitly so the API limits can be checked against it; see docs/configuration.md). A broker's
// own limit (message.max.bytes, max.message.bytes per topic) must be at least this.
inline constexpr int kProducerMessageMaxBytes = 1'000'000;

// Connection settings shared by producers and consumers.
struct BusConfig {
  std::string bootstrap_servers;             // e.g. "127.0.0.1:39092"
  std::map<std::string, std::string> extra;  // any librdkafka property, applied last
};

// What the --kafka and --kafka_property flags asked for.
struct BusSettings {
  bool embedded = false;  // run an EmbeddedBroker in-process; config.bootstrap_servers is empty
  BusConfig config;
};

// Parses `--kafka` ("embedded" or a bootstrap.servers list such as "k1:9092,k2:9092") and
// extra librdkafka properties as "key=value" strings. A malformed entry, or a property
// librdkafka rejects, is INVALID_ARGUMENT naming it.
absl::StatusOr<BusSettings> ParseBusFlag(std::string_view kafka,
                                         const std::vector<std::string>& properties = {});

// Where the relay takes events from and reports delivery to. EventStore is the real one.
class OutboxSource {
 public:
  virtual ~OutboxSource() = default;
  virtual absl::StatusOr<std::vector<breach::v1::EventEnvelope>> PendingOutbox(size_t limit) = 0;
  virtual absl::Status AckOutbox(const std::vector<uint64_t>& positions) = 0;
  // Takes an event the bus refused for good out of the outbox, recording why.
  virtual absl::Status ParkOutbox(uint64_t position, const std::string& reason) = 0;
};

// Handles one consumed event. Must return OK only once the event's effects are durable
// (the offset is committed after that); must ignore an event id it has already applied.
using EventHandler = std::function<absl::Status(const breach::v1::EventEnvelope& event)>;

}  // namespace breachd::bus
