// Bus side of the intake: follows what other services decide about a breach's lifecycle (an
// assessment, an override) so that its own commands see the status as it is, e.g. refuse to
// judge an assessed breach anew; and, for an incident's case, how far it got (the provider's notice
// sent, delivered, acknowledged, assessed, notified to the Garante, its clocks: incident_progress.h)
// for GetIncident. It never reads their stores.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "breach/v1/envelope.pb.h"
#include "libs/eventstore/event_store.h"

namespace breachd::intake {

// The report row `event` changes (none for the intake's own events and those it ignores).
absl::StatusOr<std::vector<eventstore::ProjectionWrite>> IntakeRowsFor(
    eventstore::EventStore& store, const breach::v1::EventEnvelope& event);

}  // namespace breachd::intake
