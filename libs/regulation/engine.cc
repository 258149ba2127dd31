#include "libs/regulation/engine.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/regulation/deadlines.h"
#include "libs/regulation/duties.h"
#include "libs/regulation/regime.h"
#include "libs/regulation/severity.h"
#include "libs/regulation/time_format.h"

namespace breachd::regulation {

absl::StatusOr<RegulationEngine> RegulationEngine::Create(std::vector<breach::v1::Regime> regimes,
                                                          TemplateSet templates,
                                                          absl::TimeZone zone) {
  if (regimes.empty()) return absl::InvalidArgumentError("regimes: none loaded");
  RETURN_IF_ERROR(ValidateRegimeSet(regimes));
  if (regimes.front().time_zone() != zone.name()) {
    return absl::InvalidArgumentError(absl::StrCat("time zone ", zone.name(),
                                                   " differs from the regimes' time_zone ",
                                                   regimes.front().time_zone()));
  }
  ASSIGN_OR_RETURN(DraftTemplates compiled, DraftTemplates::Compile(templates));
  SeverityParams severity_params;
  for (const auto& regime : regimes) {
    if (regime.classification_size() > 0) severity_params = SeverityParamsOf(regime);
  }
  return RegulationEngine(std::move(regimes), std::move(compiled), zone, severity_params);
}

absl::StatusOr<breach::v1::AssessmentResult> RegulationEngine::Evaluate(
    const breach::v1::RiskAssessment& assessment, absl::Time now,
    const EvaluateOptions& options) const {
  breach::v1::AssessmentResult result;
  RETURN_IF_ERROR(EvaluateInto(assessment, now, options, &result));
  return result;
}

absl::Status RegulationEngine::EvaluateInto(const breach::v1::RiskAssessment& assessment,
                                            absl::Time now, const EvaluateOptions& options,
                                            breach::v1::AssessmentResult* result) const {
  result->Clear();
  result->set_breach_id(assessment.breach_id());
  result->set_tenant(assessment.tenant());
  SetProto(now, result->mutable_evaluated_at());
  RETURN_IF_ERROR(AssessSeverityInto(assessment, severity_params_, *result->mutable_severity()));
  RETURN_IF_ERROR(DecideDuties(assessment, regimes_, *result));
  RETURN_IF_ERROR(ComputeDeadlines(assessment, regimes_, zone_, now, *result));
  if (options.drafts) RETURN_IF_ERROR(BuildDrafts(assessment, templates_, zone_, *result));
  return absl::OkStatus();
}

}  // namespace breachd::regulation
