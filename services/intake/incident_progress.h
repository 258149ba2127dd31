// Where each case of an incident stands, as the intake learns it from the other services' events
// (pure, no I/O): the provider's notice sent and delivered, the school's acknowledgement, its
// assessment, its notification to the Garante, and its clocks (for "overdue"). Row:
//
//   incident-progress/<breach_id>  -> breach.v1.IncidentCaseProgress, first written with the case
//                                     by the fan-out (incident and school), then folded by the
//                                     intake's consumer
//
// The fold is replay- and order-proof: the flags only ever turn on, and a clock keeps the
// stream version of the notification event that last moved it, so an older event arriving late
// (or twice) changes nothing.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "breach/v1/incident.pb.h"

namespace breachd::intake {

std::string IncidentProgressKey(const std::string& breach_id);

// Folds `event` (of the case's breach, any service) into `progress`; false if it changes nothing.
bool FoldProgress(const breach::v1::EventEnvelope& event, breach::v1::IncidentCaseProgress& progress);

// The stages a case is in at `now`, in IncidentStage order (always CASE_CREATED).
std::vector<breach::v1::IncidentStage> StagesOf(const breach::v1::IncidentCaseProgress& progress,
                                                absl::Time now);

}  // namespace breachd::intake
