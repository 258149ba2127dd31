// From severity to what must be done: the school's classification (1/2/3), the GDPR art. 33
// and art. 34 decisions with the art. 34(3) exemptions, the register entry (always), and the
// duties of the other regimes in scope (processor contract, NIS2). Every decision carries its
// reasons and the regime version that produced it; a human override needs a written reason.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "breach/v1/assessment.pb.h"

namespace breachd::regulation {

// Whether a regime applies to this breach (scope ALWAYS, PROCESSOR_INVOLVED or NIS2).
bool RegimeApplies(const breach::v1::Regime& regime, const breach::v1::BreachFacts& facts);

// Fills result.classification*, result.duties and result.regimes from result.severity.
// `regimes` must have passed ValidateRegimeSet. Overrides are applied last; an override of a
// duty not in the result, or one that would drop the register entry, is INVALID_ARGUMENT.
absl::Status DecideDuties(const breach::v1::RiskAssessment& assessment,
                          const std::vector<breach::v1::Regime>& regimes,
                          breach::v1::AssessmentResult& result);

}  // namespace breachd::regulation
