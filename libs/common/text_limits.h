// The length rules every service applies to free text from outside: a reason, a note, evidence.
// One place, so a reason accepted by the intake is never refused by the assessment.
#pragma once

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace breachd {

// Reasons, notes, evidence and an action's "what": long enough for a paragraph, short enough that
// a thousand of them fit in one event page.
inline constexpr size_t kMaxReasonBytes = 4 * 1024;

// INVALID_ARGUMENT "<field> is N bytes; the limit is L" when `value` is longer than `limit`.
absl::Status CheckTextLength(absl::string_view field, absl::string_view value, size_t limit);

// As CheckTextLength, and INVALID_ARGUMENT "<field> is required" when `value` is only blanks.
absl::Status RequireText(absl::string_view field, absl::string_view value,
                         size_t limit = kMaxReasonBytes);

}  // namespace breachd
