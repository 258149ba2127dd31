// Bus adapter of the assessment service: learns of breaches from the other services' events
// (reports, triage, amendments) into its own cases; it never reads their stores.
#pragma once

#include "absl/status/statusor.h"
#include "breach/v1/envelope.pb.h"
#include "libs/common/striped_mutex.h"
#include "libs/eventstore/event_store.h"

namespace breachd::assessment {

class AssessmentConsumer {
 public:
  AssessmentConsumer(eventstore::EventStore& store, StripedMutex<>& breach_locks)
      : store_(store), breach_locks_(breach_locks) {}

  // Applies an event once (dedupe by event id); true if it was new. Not fsynced: call
  // MakeAppliedDurable() before offsets or checkpoints move.
  absl::StatusOr<bool> ApplyConsumed(const breach::v1::EventEnvelope& event);

  absl::Status MakeAppliedDurable() { return store_.WriteProjection({}, /*sync=*/true); }

 private:
  eventstore::EventStore& store_;
  StripedMutex<>& breach_locks_;
};

}  // namespace breachd::assessment
