// Sends one delivery over its channel with the real clients of libs/dispatch: SMTP (e-mail and
// PEC) through libcurl, webhooks as signed HTTPS POSTs. Settings come from files on the server
// (docs/notification.md): credentials never travel in flags or events.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/notification.pb.h"
#include "libs/dispatch/smtp_settings.h"
#include "libs/dispatch/webhook.h"
#include "services/notification/message_content.h"

namespace breachd::notification {

struct ChannelSettings {
  std::optional<dispatch::SmtpSettings> smtp;  // nullopt: no SMTP server configured
  std::string webhook_secret;                  // HMAC key of webhook signatures
  std::string webhook_ca_file;                 // PEM to trust for webhooks (empty: system)
  std::string authority_address;               // the Garante's PEC address
  dispatch::RetryPolicy retry;
  double messages_per_second = 20;             // to data subjects, per service
};

// Reads the settings the module gets from flags: "smtp_config" (a JSON file),
// "webhook_secret_file", "webhook_ca_file", "authority_address", "dispatch_rate",
// "dispatch_backoff_seconds" (the first retry's wait, 1..3600; doubles up to an hour).
absl::StatusOr<ChannelSettings> LoadChannelSettings(
    const std::map<std::string, std::string>& settings);

class ChannelSender {
 public:
  explicit ChannelSender(ChannelSettings settings) : settings_(std::move(settings)) {}
  virtual ~ChannelSender() = default;

  // The server's answer when it accepted the message. UNAVAILABLE (retry later) or
  // FAILED_PRECONDITION (given up) with the server's answer otherwise.
  virtual absl::StatusOr<std::string> Send(const breach::v1::Delivery& delivery,
                                           const MessageContent& content, absl::Time now) const;

  const ChannelSettings& settings() const { return settings_; }

 private:
  ChannelSettings settings_;
};

}  // namespace breachd::notification
