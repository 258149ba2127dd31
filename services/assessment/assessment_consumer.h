// Bus side of the assessment service: learns of breaches from the other services' events
// (reports, triage, amendments) into its own cases; it never reads their stores.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "breach/v1/envelope.pb.h"
#include "libs/eventstore/event_store.h"

namespace breachd::assessment {

// The case row `event` changes (none for its own events, audit streams and what it ignores).
absl::StatusOr<std::vector<eventstore::ProjectionWrite>> AssessmentRowsFor(
    eventstore::EventStore& store, const breach::v1::EventEnvelope& event);

}  // namespace breachd::assessment
