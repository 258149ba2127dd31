// An Allegato A report as JSON (breachctl report create -f), then the intake's validation.
#include "absl/time/time.h"
#include "breach/v1/intake.pb.h"
#include "fuzz/fuzz_input.h"
#include "services/intake/report_validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  breach::v1::BreachReport report;
  if (!breachd::fuzz::FromJson(breachd::fuzz::Text(data, size), report)) return 0;
  (void)breachd::intake::ValidateReport(report, absl::FromUnixSeconds(1798761600),
                                        [](const std::string& tenant) { return tenant == "MIIS01200V"; });
  return 0;
}
