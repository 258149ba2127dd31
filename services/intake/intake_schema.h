// The intake's store schema: every projection row it writes, and how its key is built.
//
//   report/<breach_id>                -> breach.v1.Report (as filed, amendments, as read, status,
//                                        verdict, awareness, revision)
//   action/<breach_id>/<action_id>    -> breach.v1.ContainmentAction
//   idempotency/<tenant>/<request_id> -> breach.v1.IdempotencyRecord whose result is the
//                                        breach_id of a report or the action_id of an action
//                                        (AIP-155 retries; libs/service/idempotency.h)
// The events (BreachReported, BreachTriaged, ReportAmended, ContainmentActionRecorded,
// BreachViewed, AccessDenied) are on the breach's stream (its id) and the callers' audit
// streams.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "breach/v1/intake.pb.h"
#include "libs/eventstore/event_store.h"

namespace breachd::intake {

std::string ReportKey(const std::string& breach_id);
std::string ActionKey(const std::string& breach_id, const std::string& action_id);
std::string ActionPrefix(const std::string& breach_id);
std::string RequestKey(const std::string& tenant, const std::string& request_id);

// The stored report of a breach (nullopt if there is none); DATA_LOSS if unreadable.
absl::StatusOr<std::optional<breach::v1::Report>> FindReport(eventstore::EventStore& store,
                                                             const std::string& breach_id);

// The containment actions of a breach, in the order they were recorded (action ids are ULIDs).
absl::StatusOr<std::vector<breach::v1::ContainmentAction>> ListActions(
    eventstore::EventStore& store, const std::string& breach_id);

}  // namespace breachd::intake
