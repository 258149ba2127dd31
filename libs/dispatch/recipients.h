// The recipients of a data-subject notification, uploaded as CSV by a school.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace breachd::dispatch {

struct RecipientRow {
  std::string name, email, language;
};

inline constexpr size_t kMaxRecipientsCsvBytes = 1 << 20;
inline constexpr size_t kMaxRecipientsRows = 100000;

// CSV with a header "name,email,language" (any column order, each once, no other column),
// RFC 4180 quoting, UTF-8; at most 1 MiB and 100,000 rows; language it|en (empty:
// default_language). INVALID_ARGUMENT names the line and the field, e.g.
// `recipients_csv line 7: email "mario@" is not an e-mail address: ...`; an e-mail address
// already on an earlier line (compared without case) is refused.
absl::StatusOr<std::vector<RecipientRow>> ParseRecipientsCsv(absl::string_view csv,
                                                             const std::string& default_language);

// local@domain, at most 254 characters (RFC 5321's path limit less the brackets), a local
// part of at most 64, no spaces, controls or the characters that would break a header or an
// SMTP command (<>,;:"()[]\), a domain of dot-separated labels with at least one dot.
// INVALID_ARGUMENT: `<field> "<address>" is not an e-mail address: <why>`.
absl::Status ValidateEmailAddress(absl::string_view field, absl::string_view address);

}  // namespace breachd::dispatch
