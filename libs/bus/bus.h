// The Kafka side of a service: the outbox relay that publishes a store's events, and the
// consumer loop that applies other services' events. Both speak librdkafka to any
// Kafka-protocol broker: a real cluster, or librdkafka's mock cluster (EmbeddedBroker).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "breach/v1/envelope.pb.h"

namespace breachd::bus {

inline constexpr char kBreachEventsTopic[] = "breach.events.v1";

// Connection settings shared by producers and consumers.
struct BusConfig {
  std::string bootstrap_servers;             // e.g. "127.0.0.1:39092"
  std::map<std::string, std::string> extra;  // any librdkafka property, applied last
};

// Where the relay takes events from and reports delivery to. EventStore is the real one.
class OutboxSource {
 public:
  virtual ~OutboxSource() = default;
  virtual absl::StatusOr<std::vector<breach::v1::EventEnvelope>> PendingOutbox(size_t limit) = 0;
  virtual absl::Status AckOutbox(const std::vector<uint64_t>& positions) = 0;
};

// Handles one consumed event. Must return OK only once the event's effects are durable
// (the offset is committed after that); must ignore an event id it has already applied.
using EventHandler = std::function<absl::Status(const breach::v1::EventEnvelope& event)>;

}  // namespace breachd::bus
