// A page token a caller sends back (ListBreaches): decoded, checked against the listing's prefix,
// and a decoded key encodes back to the same token's key.
#include <cstdlib>

#include "fuzz/fuzz_input.h"
#include "libs/common/page_token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string token = breachd::fuzz::Text(data, size);
  for (const char* prefix : {"", "entry/MIIS01200V/"}) {
    std::optional<std::string> key = breachd::DecodePageToken(token, prefix);
    if (!key) continue;
    if (breachd::DecodePageToken(breachd::EncodePageToken(*key), prefix) != key) std::abort();
  }
  return 0;
}
