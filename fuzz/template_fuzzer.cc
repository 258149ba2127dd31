// A draft template (templates/*.md), rendered with a few values and an unknown placeholder.
#include "fuzz/fuzz_input.h"
#include "libs/regulation/template_renderer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* const values = new breachd::regulation::TemplateValues{
      {"school_name", "I.I.S. Vespucci"}, {"breach_id", "01JQ0LAPTOP000000000000000"},
      {"people_affected", "24"}, {"empty", ""}};
  (void)breachd::regulation::RenderTemplate("fuzz.md", breachd::fuzz::Text(data, size), *values);
  return 0;
}
