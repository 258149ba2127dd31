// The intake's store schema: every projection row it writes, and how its key is built.
//
//   report/<breach_id>                -> breach.v1.Report (the report as filed)
//   idempotency/<tenant>/<request_id> -> breach.v1.IdempotencyRecord whose result is the
//                                        breach_id (AIP-155 retries; libs/service/idempotency.h)
// The events (BreachReported, BreachViewed, AccessDenied) are on the breach's stream (its id)
// and the callers' audit streams.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "breach/v1/intake.pb.h"
#include "libs/eventstore/event_store.h"

namespace breachd::intake {

std::string ReportKey(const std::string& breach_id);
std::string RequestKey(const std::string& tenant, const std::string& request_id);

// The stored report of a breach (nullopt if there is none); DATA_LOSS if unreadable.
absl::StatusOr<std::optional<breach::v1::Report>> FindReport(eventstore::EventStore& store,
                                                             const std::string& breach_id);

}  // namespace breachd::intake
