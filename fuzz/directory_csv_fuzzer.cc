// The Ministry's school directory as CSV (the provider's import).
#include "fuzz/fuzz_input.h"
#include "libs/directory/school_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = breachd::directory::ParseSchoolCsv(breachd::fuzz::Text(data, size));
  if (parsed.ok()) {
    for (const auto& school : parsed->schools) (void)breachd::directory::ValidateSchool(school);
  }
  return 0;
}
