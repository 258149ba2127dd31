// Checks a RiskAssessment before any evaluation: negative counts, unknown enum values and facts
// that contradict each other are INVALID_ARGUMENT errors naming the field.
#pragma once

#include "absl/status/status.h"
#include "breach/v1/assessment.pb.h"

namespace breachd::regulation {

absl::Status ValidateRiskAssessment(const breach::v1::RiskAssessment& assessment);

}  // namespace breachd::regulation
