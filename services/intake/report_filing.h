// The intake's filing decision, pure: what a report request must say before it is authorized,
// and the report and event that filing it produces. No I/O; time and ids are arguments.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/intake.pb.h"
#include "libs/auth/principal.h"

namespace breachd::intake {

// The checks that need no principal: request id, size limits, a tenant to authorize against.
// INVALID_ARGUMENT naming the field.
absl::Status CheckReportRequest(const breach::v1::ReportBreachRequest& request);

// The report as filed by `reporter` at `now` under the new `breach_id`.
breach::v1::Report FileReport(const breach::v1::ReportBreachRequest& request,
                              const auth::Principal& reporter, absl::Time now,
                              const std::string& breach_id);

// The event that starts the breach's stream.
breach::v1::BreachReported ReportedEvent(const breach::v1::Report& report);

}  // namespace breachd::intake
