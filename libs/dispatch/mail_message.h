// One notification e-mail and its MIME text (RFC 5322 / RFC 2045-2047): pure, no I/O.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/dispatch/smtp_settings.h"

namespace breachd::dispatch {

struct MailMessage {
  std::string to_address, to_name;
  std::string subject;        // UTF-8 (Italian accents) -> RFC 2047 encoded-word
  std::string text_body;      // UTF-8, sent as text/plain; charset=UTF-8, quoted-printable
  std::string html_body;      // optional: multipart/alternative when set
  std::string message_id;     // "<key@breachd>": the idempotency key, so a receiver can dedupe
  std::string language;       // Content-Language
  std::vector<std::pair<std::string, std::string>> extra_headers;  // e.g. X-Breachd-Delivery
};

// INVALID_ARGUMENT when the message cannot be sent as it is: a bad to_address, a Message-ID
// that is not "<left@right>", an extra header whose name is not a header name or that would
// replace one ComposeMime writes, or a CR/LF in any header value (header injection).
absl::Status ValidateMailMessage(const MailMessage& message);

// The whole message, CRLF line ends, Date in RFC 5322 format (UTC). Headers: Date, From, To,
// Subject, Message-ID, MIME-Version, Content-Language, Auto-Submitted, the extra headers, then
// the body (text/plain, or multipart/alternative with the HTML). Values are expected to pass
// ValidateMailMessage; stray CR/LF are turned into spaces all the same.
std::string ComposeMime(const MailMessage& message, const SmtpSettings& settings, absl::Time date);

// RFC 2047 "B" encoded-words (UTF-8) for a header value that is not plain printable ASCII,
// folded so that no line exceeds 76 characters; plain ASCII comes back unchanged.
// `header_name_length` is how much of the first line the header's name takes.
std::string EncodeHeaderText(absl::string_view text, size_t header_name_length);

// Quoted-printable (RFC 2045 6.7) of UTF-8 text: line ends become CRLF, lines at most 76
// characters with soft breaks, blanks before a line end encoded; ends with CRLF.
std::string QuotedPrintable(absl::string_view text);

// "Name <address>", the name quoted or encoded as needed; just the address without a name.
std::string FormatMailbox(absl::string_view name, absl::string_view address);

}  // namespace breachd::dispatch
