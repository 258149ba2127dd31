// Deadlines: from awareness (the controller's, or the processor's own for the processor's
// clock) to each required duty's due time, in absolute time and shown in the regime's zone.
// Elapsed-hour windows are exact across DST changes; month windows are calendar months.
#pragma once

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "breach/v1/assessment.pb.h"

namespace breachd::regulation {

// Adds a Deadline to `result` for every required duty (result.duties) whose regime rule has a
// window, with warning times, and the status at `now`. Submissions are matched to their
// deadline; a submission after a legal (not internal-target) deadline without a reason for the
// delay is FAILED_PRECONDITION (art. 33(1)).
absl::Status ComputeDeadlines(const breach::v1::RiskAssessment& assessment,
                              const std::vector<breach::v1::Regime>& regimes,
                              const absl::TimeZone& zone, absl::Time now,
                              breach::v1::AssessmentResult& result);

// The art. 33(1) check on its own, for a service about to send a notification.
absl::Status CheckSubmissionTiming(const breach::v1::Deadline& deadline, absl::Time sent_at,
                                   absl::string_view delay_reason);

}  // namespace breachd::regulation
