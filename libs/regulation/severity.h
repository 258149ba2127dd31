// ENISA (2013) severity of a personal-data breach: SE = DPC x EI + CB.
//
// DPC (data processing context, 1..4) comes from the most critical nature of the data (or the
// fraud its combination enables) and is adjusted for context and proportion; EI (ease of
// identification) is 0.25/0.5/0.75/1; CB (circumstances, circumstances.h) adds
// confidentiality, integrity and availability loss and malicious intent. Every term is returned
// as a SeverityFactor with its reason in Italian and English, and the result says how far the
// score sits from the nearest band edge.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "breach/v1/assessment.pb.h"

namespace breachd::regulation {

struct SeverityParams {
  // DPC +1 when at least this many people are affected (from the regime; 0 disables it).
  int64_t large_volume_subjects = 0;
  // DPC -1 when at most this many records carry the most sensitive data (0 disables it).
  int64_t small_volume_records = 0;
  // Data back within this many hours count as recovered without difficulty (0 disables it).
  int64_t short_unavailability_hours = 0;
};

// The severity parameters a regime sets (its ENISA thresholds).
SeverityParams SeverityParamsOf(const breach::v1::Regime& regime);

// The band of a score: low < 2 <= medium < 3 <= high < 4 <= very high.
breach::v1::SeverityBand BandOf(double score);

// Expects an assessment that passed ValidateRiskAssessment; returns INVALID_ARGUMENT otherwise.
absl::StatusOr<breach::v1::SeverityAssessment> AssessSeverity(
    const breach::v1::RiskAssessment& assessment, const SeverityParams& params);

// The same into `out` (cleared first), so that a reused result message keeps its allocations.
absl::Status AssessSeverityInto(const breach::v1::RiskAssessment& assessment,
                                const SeverityParams& params, breach::v1::SeverityAssessment& out);

}  // namespace breachd::regulation
