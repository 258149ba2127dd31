// A failed delivery's server reply code (SMTP 550, HTTP 503), carried beside the status text
// as a payload. The text may quote the recipient's address ("... to mario.rossi@...: 550 5.1.1
// <mario.rossi@...> unknown"): it goes only where personal data is sealed (the events and rows),
// while logs get the status code and this reply code, which name nobody.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace breachd::dispatch {

// `status` with the server's reply code attached (unchanged when `code` is not 100..999).
absl::Status WithReplyCode(absl::Status status, long code);

// The reply code attached to `status` ("550"), or "" when the server gave none (a network,
// TLS or configuration failure).
std::string ReplyCode(const absl::Status& status);

// What a log may say of a failed delivery: "FAILED_PRECONDITION 550", "UNAVAILABLE" (no reply
// code). Never the text.
std::string LoggableFailure(const absl::Status& status);

}  // namespace breachd::dispatch
