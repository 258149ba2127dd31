// The one interface through which breachd hosts a service: given its context (its own store,
// the identities, the clock, the relay's wake-up), a module builds a HostedService that says
// which gRPC services it serves, under which health names, and what it consumes from the bus.
// breachd knows nothing else about a service, so a new one is a new module, not a new if-block.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "breach/v1/envelope.pb.h"
#include "libs/auth/identity_store.h"
#include "libs/bus/partition_ownership.h"
#include "libs/common/clock.h"
#include "libs/common/gauge_sample.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/projection_fold.h"

namespace breachd::privacy {
class FieldCipher;
}  // namespace breachd::privacy

namespace grpc {
class ChannelCredentials;
class Service;
}

namespace breachd::service {

// What a hosted service is given. Everything outlives the service.
struct ServiceContext {
  eventstore::EventStore& store;  // the service's own store, never another's
  const auth::IdentityStore& identities;
  const Clock& clock;
  std::function<void()> on_append;  // after every durable append (wakes the outbox relay)
  // Settings from flags a module may need, e.g. "regimes_dir" (empty or absent: its default).
  std::map<std::string, std::string> settings;
  // Seals and opens the schools' personal data (libs/privacy/field_cipher.h); shared by every
  // service of the process, never null when breachd hosts the service.
  privacy::FieldCipher* cipher = nullptr;
  // Set when this instance shares the service's breaches with other instances by partition
  // (breachd --partitioned, docs/scaling.md): which breaches it applies and serves. nullptr:
  // the only instance, every breach.
  const bus::PartitionOwnership* ownership = nullptr;
  // The other instances of this service ("HOST:PORT"), where a request for a breach this one
  // does not serve is forwarded, and how to reach them.
  std::vector<std::string> fellows = {};
  std::shared_ptr<grpc::ChannelCredentials> fellow_credentials = nullptr;
};

// How a consuming service takes events in (delivery::Subscription calls these).
struct EventConsumer {
  // Applies an event at most once (dedupe by event id), without fsync; true if it was new.
  std::function<absl::StatusOr<bool>(const breach::v1::EventEnvelope& event)> apply;
  // Makes every earlier apply durable (one fsync), before offsets and checkpoints move.
  std::function<absl::Status()> make_durable;
  // A consumer split by partition (docs/scaling.md): the streams it needs whatever their
  // partition (events about no breach or several), by id prefix; every other stream is a
  // breach's and read only for the partitions held.
  std::vector<std::string> unpartitioned_stream_prefixes = {};
};

class HostedService {
 public:
  virtual ~HostedService() = default;
  // The gRPC services to serve (owned by this object).
  virtual std::vector<grpc::Service*> GrpcServices() = 0;
  // Full names answered by the health service, e.g. "breach.v1.IntakeService".
  virtual std::vector<std::string> HealthNames() const = 0;
  // What it consumes from the publishing services, or nullopt if it consumes nothing.
  virtual std::optional<EventConsumer> Consumer() { return std::nullopt; }
  // A fresh fold of its projection, for `breachctl admin rebuild` (nullptr: no rebuild).
  virtual std::unique_ptr<ProjectionFold> NewRebuildFold() { return nullptr; }
  // The versions of the data files it decides with, e.g. "gdpr-it@2026-01" (for whoami).
  virtual std::vector<std::string> DataVersions() const { return {}; }
  // Gauges for the metrics endpoint, computed on each scrape (e.g. overdue deadlines).
  virtual std::vector<GaugeSample> SampleGauges() { return {}; }
};

// A service breachd can host, by name.
struct ServiceModule {
  std::string name;  // also the store's folder and the envelope's source
  bool publishes = true;  // others consume its events (it is a catch-up source)
  std::function<absl::StatusOr<std::unique_ptr<HostedService>>(const ServiceContext& context)>
      create;
  // Several instances may split its breaches by partition (it honours ServiceContext::ownership).
  bool partitionable = false;
  // Its partitions are fixed per instance (breachd --home_partitions), not handed out by the
  // consumer group: the instance's store is the only copy of their streams (the intake's
  // reports), so they cannot move when an instance dies (docs/scaling.md).
  bool home_partitioned = false;
};

}  // namespace breachd::service
