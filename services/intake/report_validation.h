// Checks an Allegato A report before anything is stored. Pure: no I/O, the time and the tenant
// directory are arguments.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "breach/v1/intake.pb.h"

namespace breachd::intake {

// More than every pupil, parent and employee of every Italian school: a typo, not a breach.
inline constexpr int64_t kMaxDataSubjects = 10'000'000;
// A clock on the client may be a little ahead of ours.
inline constexpr absl::Duration kClockSkewAllowance = absl::Minutes(5);
// Every time in a report (discovered_at, incident_at, form_date) lies within
// [kEarliestReportTime, now + kClockSkewAllowance]: no school register holds older facts, and a
// time outside it is a typo (checked on seconds and nanos, before any conversion).
inline constexpr absl::Time kEarliestReportTime = absl::FromUnixSeconds(946'684'800);
inline constexpr char kEarliestReportTimeText[] = "2000-01-01T00:00:00Z";

using TenantLookup = std::function<bool(const std::string& tenant)>;

// OK, or INVALID_ARGUMENT whose message starts with the field path ("report.discovered_at ...").
absl::Status ValidateReport(const breach::v1::BreachReport& report, absl::Time now,
                            const TenantLookup& is_known_tenant);

// OK if `timestamp` lies in [kEarliestReportTime, now + kClockSkewAllowance] with valid nanos;
// INVALID_ARGUMENT starting with `field_path` otherwise.
absl::Status CheckTimeField(const std::string& field_path,
                            const google::protobuf::Timestamp& timestamp, absl::Time now);

// request_id: 1..128 characters of [A-Za-z0-9._:-].
absl::Status ValidateRequestId(const std::string& request_id);

}  // namespace breachd::intake
