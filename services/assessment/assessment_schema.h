// The assessment service's store schema: every projection row, and how its key is built.
//
//   case/<breach_id>                     -> breach.v1.AssessmentCase (what the bus told it of
//                                           the breach: tenant, status, verdict, awareness)
//   version/<breach_id>/<version:10>     -> breach.v1.AssessmentVersion (zero-padded, so
//                                           versions sort)
//   idempotency/<tenant>/<request_id>    -> breach.v1.IdempotencyRecord whose result is the
//                                           version (libs/service/idempotency.h)
// Its events (AssessmentSubmitted, SeverityAssessed, BreachClassified, DutyDecided,
// DutyOverridden, AccessDenied) are on the breach's stream and the callers' audit streams.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "breach/v1/assessment_service.pb.h"
#include "libs/eventstore/event_store.h"

namespace breachd::assessment {

std::string CaseKey(const std::string& breach_id);
std::string VersionKey(const std::string& breach_id, uint32_t version);
std::string VersionPrefix(const std::string& breach_id);
std::string RequestKey(const std::string& tenant, const std::string& request_id);

absl::StatusOr<std::optional<breach::v1::AssessmentCase>> FindCase(eventstore::EventStore& store,
                                                                   const std::string& breach_id);
absl::StatusOr<std::optional<breach::v1::AssessmentVersion>> FindVersion(
    eventstore::EventStore& store, const std::string& breach_id, uint32_t version);
// Oldest first.
absl::StatusOr<std::vector<breach::v1::AssessmentVersion>> ListVersions(
    eventstore::EventStore& store, const std::string& breach_id);

}  // namespace breachd::assessment
