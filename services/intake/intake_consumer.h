// Bus adapter of the intake: follows what other services decide about a breach's lifecycle
// (an assessment, an override) so that its own commands see the status as it is, e.g. refuse to
// judge an assessed breach anew. It never reads their stores.
#pragma once

#include "absl/status/statusor.h"
#include "breach/v1/envelope.pb.h"
#include "libs/common/striped_mutex.h"
#include "libs/eventstore/event_store.h"

namespace breachd::intake {

class IntakeConsumer {
 public:
  // `breach_locks` is the gRPC adapter's: one change of a report at a time.
  IntakeConsumer(eventstore::EventStore& store, StripedMutex<>& breach_locks)
      : store_(store), breach_locks_(breach_locks) {}

  // Applies an event once (dedupe by event id); true if it was new. Not fsynced: call
  // MakeAppliedDurable() before offsets or checkpoints move.
  absl::StatusOr<bool> ApplyConsumed(const breach::v1::EventEnvelope& event);

  absl::Status MakeAppliedDurable() { return store_.WriteProjection({}, /*sync=*/true); }

 private:
  eventstore::EventStore& store_;
  StripedMutex<>& breach_locks_;
};

}  // namespace breachd::intake
