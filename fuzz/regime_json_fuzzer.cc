// A regime file (regimes/*/*.json) as the assessment service loads it: parsed and validated.
#include "fuzz/fuzz_input.h"
#include "libs/regulation/regime.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto regime = breachd::regulation::ParseRegimeJson(breachd::fuzz::Text(data, size), "fuzz.json");
  if (regime.ok()) (void)breachd::regulation::ValidateRegimeSet({*regime});
  return 0;
}
