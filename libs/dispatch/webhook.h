// Delivers a notification to a school's or an integrator's HTTPS endpoint with libcurl.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/dispatch/retry_policy.h"
#include "libs/dispatch/webhook_signature.h"

namespace breachd::dispatch {

struct WebhookRequest {
  std::string url;
  std::string body_json;
  std::string idempotency_key;  // sent as Idempotency-Key, so the receiver can dedupe retries
  std::string secret;           // HMAC key for X-Breachd-Signature (empty: no signature)
  std::string ca_file;          // PEM to trust (empty: system store)
  absl::Duration timeout = absl::Seconds(10);
};

// INVALID_ARGUMENT unless `url` is https://, or http:// to 127.0.0.1, ::1 or localhost (tests).
absl::Status ValidateWebhookUrl(const std::string& url);

class WebhookSender {
 public:
  // One POST with Content-Type: application/json, Idempotency-Key and X-Breachd-Signature
  // signed at `now`; redirects are not followed. OK: "<status> <body prefix>".
  // UNAVAILABLE: 5xx, 408, 429, timeout, connection or TLS failure (retryable).
  // FAILED_PRECONDITION: any other answer outside 2xx, with its reason (not retryable).
  // INVALID_ARGUMENT: a bad URL.
  absl::StatusOr<std::string> Post(const WebhookRequest& request, absl::Time now) const;
};

}  // namespace breachd::dispatch
