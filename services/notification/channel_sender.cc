#include "services/notification/channel_sender.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/common/files.h"
#include "libs/common/status_macros.h"
#include "libs/dispatch/smtp_sender.h"

namespace breachd::notification {
namespace {

std::string Setting(const std::map<std::string, std::string>& settings, const std::string& name) {
  auto it = settings.find(name);
  return it == settings.end() ? "" : it->second;
}

}  // namespace

absl::StatusOr<ChannelSettings> LoadChannelSettings(
    const std::map<std::string, std::string>& settings) {
  ChannelSettings channels;
  if (const std::string path = Setting(settings, "smtp_config"); !path.empty()) {
    ASSIGN_OR_RETURN(channels.smtp, dispatch::LoadSmtpSettings(path));
  }
  if (const std::string path = Setting(settings, "webhook_secret_file"); !path.empty()) {
    ASSIGN_OR_RETURN(std::string secret, ReadWholeFile(path));
    channels.webhook_secret = std::string(absl::StripTrailingAsciiWhitespace(secret));
    if (channels.webhook_secret.size() < 16) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": the webhook secret must be at least 16 characters"));
    }
  }
  channels.webhook_ca_file = Setting(settings, "webhook_ca_file");
  channels.authority_address = Setting(settings, "authority_address");
  if (channels.authority_address.empty()) channels.authority_address = "protocollo@pec.gpdp.it";
  if (const std::string rate = Setting(settings, "dispatch_rate"); !rate.empty()) {
    if (!absl::SimpleAtod(rate, &channels.messages_per_second) ||
        channels.messages_per_second < 0.1 || channels.messages_per_second > 1000) {
      return absl::InvalidArgumentError(
          absl::StrCat("--dispatch_rate is ", rate, "; it must be 0.1..1000 messages a second"));
    }
  }
  if (const std::string backoff = Setting(settings, "dispatch_backoff_seconds"); !backoff.empty()) {
    int seconds = 0;
    if (!absl::SimpleAtoi(backoff, &seconds) || seconds < 1 || seconds > 3600) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--dispatch_backoff_seconds is ", backoff, "; it must be 1..3600"));
    }
    channels.retry.initial_backoff = absl::Seconds(seconds);
  }
  return channels;
}

absl::StatusOr<std::string> ChannelSender::Send(const breach::v1::Delivery& delivery,
                                                const MessageContent& content,
                                                absl::Time now) const {
  switch (delivery.channel()) {
    case breach::v1::CHANNEL_EMAIL:
    case breach::v1::CHANNEL_PEC: {
      if (!settings_.smtp.has_value()) {
        return absl::FailedPreconditionError(
            "no SMTP server is configured: start breachd with --smtp_config=FILE");
      }
      dispatch::MailMessage message;
      message.to_address = delivery.recipient().address();
      message.to_name = delivery.recipient().name();
      message.subject = content.subject;
      message.text_body = content.text;
      message.message_id = absl::StrCat("<", delivery.idempotency_key(), "@breachd>");
      message.language = delivery.recipient().language();
      message.extra_headers = {{"X-Breachd-Delivery", delivery.delivery_id()},
                               {"X-Breachd-Breach", delivery.breach_id()}};
      return dispatch::SmtpSender(*settings_.smtp).Send(message);
    }
    case breach::v1::CHANNEL_WEBHOOK: {
      if (settings_.webhook_secret.empty()) {
        return absl::FailedPreconditionError(
            "no webhook secret is configured: start breachd with --webhook_secret_file=FILE");
      }
      dispatch::WebhookRequest request;
      request.url = delivery.recipient().address();
      request.body_json = content.json;
      request.idempotency_key = delivery.idempotency_key();
      request.secret = settings_.webhook_secret;
      request.ca_file = settings_.webhook_ca_file;
      return dispatch::WebhookSender().Post(request, now);
    }
    default:
      return absl::FailedPreconditionError(
          absl::StrCat("delivery ", delivery.delivery_id(), " has no channel to send on"));
  }
}

}  // namespace breachd::notification
