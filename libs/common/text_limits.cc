#include "libs/common/text_limits.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace breachd {

absl::Status CheckTextLength(absl::string_view field, absl::string_view value, size_t limit) {
  if (value.size() > limit) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is ", value.size(), " bytes; the limit is ", limit));
  }
  return absl::OkStatus();
}

absl::Status RequireText(absl::string_view field, absl::string_view value, size_t limit) {
  if (absl::StripAsciiWhitespace(value).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  return CheckTextLength(field, value, limit);
}

}  // namespace breachd
