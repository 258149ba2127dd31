// The recipients of a data-subject notification, as a school uploads them (CSV).
#include "fuzz/fuzz_input.h"
#include "libs/dispatch/recipients.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)breachd::dispatch::ParseRecipientsCsv(breachd::fuzz::Text(data, size), "it");
  return 0;
}
