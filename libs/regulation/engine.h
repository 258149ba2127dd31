// The regulatory engine: one pure evaluation of a risk assessment (Allegato B + facts) against
// the loaded regimes, giving severity with its explanation, classification, duties with
// reasons, deadlines and drafts. No file or clock access: regimes, templates, the time zone and
// `now` are handed in (see regime_loader.h and template_loader.h for the files).
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/assessment.pb.h"
#include "libs/regulation/drafts.h"
#include "libs/regulation/severity.h"

namespace breachd::regulation {

struct EvaluateOptions {
  bool drafts = true;  // render the notification drafts
};

class RegulationEngine {
 public:
  // Validates the regimes as a set and parses the templates; `zone` must be the regimes'
  // time_zone.
  static absl::StatusOr<RegulationEngine> Create(std::vector<breach::v1::Regime> regimes,
                                                 TemplateSet templates, absl::TimeZone zone);

  // Evaluates at `now`. The clocks start at assessment.awareness_time (and, for the processor,
  // processor_awareness_time). INVALID_ARGUMENT names a bad input field; FAILED_PRECONDITION is
  // a late submission without a reason for the delay.
  absl::StatusOr<breach::v1::AssessmentResult> Evaluate(
      const breach::v1::RiskAssessment& assessment, absl::Time now,
      const EvaluateOptions& options = {}) const;

  // The same into a caller-owned message, cleared first: a caller evaluating many cases reuses
  // one message (or allocates it on a protobuf Arena) and saves most allocations.
  absl::Status EvaluateInto(const breach::v1::RiskAssessment& assessment, absl::Time now,
                            const EvaluateOptions& options,
                            breach::v1::AssessmentResult* result) const;

  const std::vector<breach::v1::Regime>& regimes() const { return regimes_; }
  const absl::TimeZone& zone() const { return zone_; }

 private:
  RegulationEngine(std::vector<breach::v1::Regime> regimes, DraftTemplates templates,
                   absl::TimeZone zone, SeverityParams severity_params)
      : regimes_(std::move(regimes)),
        templates_(std::move(templates)),
        zone_(zone),
        severity_params_(severity_params) {}

  std::vector<breach::v1::Regime> regimes_;
  DraftTemplates templates_;  // parsed once here, not on every evaluation
  absl::TimeZone zone_;
  SeverityParams severity_params_;  // from the classifying regime
};

}  // namespace breachd::regulation
