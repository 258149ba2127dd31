#include "libs/common/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace breachd {

std::string EncodePageToken(absl::string_view last_key) {
  return absl::WebSafeBase64Escape(last_key);
}

std::optional<std::string> DecodePageToken(absl::string_view token, absl::string_view prefix) {
  std::string key;
  if (!absl::WebSafeBase64Unescape(token, &key) || !absl::StartsWith(key, prefix)) {
    return std::nullopt;
  }
  return key;
}

}  // namespace breachd
