// The bus side of a service that keeps a projection of other services' events: each event's
// rows are computed and applied, with its id marked applied, under the lock of the breach it
// is about (shared with the service's gRPC adapter), so that a consumed event and a command
// never interleave on the same rows.
#pragma once

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "breach/v1/envelope.pb.h"
#include "libs/common/striped_mutex.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/hosted_service.h"

namespace breachd::service {

class ProjectionConsumer {
 public:
  // The rows `event` changes (none for an event the projection ignores), read from `store`.
  using RowsFor = std::function<absl::StatusOr<std::vector<eventstore::ProjectionWrite>>(
      const breach::v1::EventEnvelope& event)>;
  // `lock_key` names the stripe of `locks` an event's breach takes.
  using LockKey = std::function<std::string(const breach::v1::EventEnvelope& event)>;

  ProjectionConsumer(eventstore::EventStore& store, StripedMutex<>& locks, LockKey lock_key,
                     RowsFor rows_for)
      : store_(store), locks_(locks), lock_key_(std::move(lock_key)),
        rows_for_(std::move(rows_for)) {}

  // Applies an event once (dedupe by event id); true if it was new. Not fsynced: call
  // MakeAppliedDurable() before offsets or checkpoints move.
  absl::StatusOr<bool> ApplyConsumed(const breach::v1::EventEnvelope& event) {
    absl::MutexLock lock(&locks_.For(lock_key_(event)));
    absl::StatusOr<std::vector<eventstore::ProjectionWrite>> rows = rows_for_(event);
    if (!rows.ok()) return rows.status();
    return store_.ApplyConsumed(event.event_id(), *rows, /*sync=*/false);
  }

  absl::Status MakeAppliedDurable() { return store_.WriteProjection({}, /*sync=*/true); }

  // The hooks breachd's subscription calls.
  EventConsumer Hooks() {
    return EventConsumer{
        [this](const breach::v1::EventEnvelope& event) { return ApplyConsumed(event); },
        [this] { return MakeAppliedDurable(); }};
  }

 private:
  eventstore::EventStore& store_;
  StripedMutex<>& locks_;
  LockKey lock_key_;
  RowsFor rows_for_;
};

}  // namespace breachd::service
