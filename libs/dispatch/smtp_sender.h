// Sends one MailMessage through an SMTP submission server with libcurl (STARTTLS or implicit
// TLS, optional AUTH). Thread-safe: each Send has its own curl handle.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "libs/dispatch/mail_message.h"
#include "libs/dispatch/smtp_settings.h"

namespace breachd::dispatch {

class SmtpSender {
 public:
  explicit SmtpSender(SmtpSettings settings);

  // One SMTP transaction. OK: the server's final reply (e.g. "250 Message accepted").
  // UNAVAILABLE: connection refused, timeout, TLS failure, or a 4xx reply (retry later).
  // FAILED_PRECONDITION: a permanent 5xx refusal (a bad mailbox, a wrong password).
  // INVALID_ARGUMENT: settings or message that fail validation (nothing is sent).
  // The status message always carries the server's answer or curl's error text.
  absl::StatusOr<std::string> Send(const MailMessage& message) const;

  // As Send, with the Date header at `date` (tests, benchmarks).
  absl::StatusOr<std::string> SendAt(const MailMessage& message, absl::Time date) const;

 private:
  SmtpSettings settings_;
};

}  // namespace breachd::dispatch
