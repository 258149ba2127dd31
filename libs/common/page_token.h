// Page tokens of the listing RPCs: the last key a page showed, web-safe base64, opaque to callers.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace breachd {

std::string EncodePageToken(absl::string_view last_key);

// The key a token of this listing resumes after, or nullopt when `token` is not web-safe base64
// or decodes to a key outside `prefix` (another listing's, or another school's).
std::optional<std::string> DecodePageToken(absl::string_view token, absl::string_view prefix);

}  // namespace breachd
