// An Allegato B risk assessment as JSON (breachctl assess submit/preview), then its validation.
#include "breach/v1/assessment.pb.h"
#include "fuzz/fuzz_input.h"
#include "libs/regulation/assessment_validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  breach::v1::RiskAssessment assessment;
  if (!breachd::fuzz::FromJson(breachd::fuzz::Text(data, size), assessment)) return 0;
  (void)breachd::regulation::ValidateRiskAssessment(assessment);
  return 0;
}
