// ENISA (2013) severity of a personal-data breach: SE = DPC x EI + CB.
//
// DPC (data processing context, 1..4) comes from the most critical nature of the data and is
// adjusted for context; EI (ease of identification) is 0.25/0.5/0.75/1; CB (circumstances)
// adds confidentiality, integrity and availability loss and malicious intent. Every term is
// returned as a SeverityFactor with its reason in Italian and English.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "breach/v1/assessment.pb.h"

namespace breachd::regulation {

struct SeverityParams {
  // DPC +1 when at least this many people are affected (from the regime; 0 disables it).
  int64_t large_volume_subjects = 0;
};

// The band of a score: low < 2 <= medium < 3 <= high < 4 <= very high.
breach::v1::SeverityBand BandOf(double score);

// Expects an assessment that passed ValidateRiskAssessment; returns INVALID_ARGUMENT otherwise.
absl::StatusOr<breach::v1::SeverityAssessment> AssessSeverity(
    const breach::v1::RiskAssessment& assessment, const SeverityParams& params);

// The same into `out` (cleared first), so that a reused result message keeps its allocations.
absl::Status AssessSeverityInto(const breach::v1::RiskAssessment& assessment,
                                const SeverityParams& params, breach::v1::SeverityAssessment& out);

}  // namespace breachd::regulation
