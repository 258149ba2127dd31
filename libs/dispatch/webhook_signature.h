// The webhook signature: "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>", as
// Stripe signs its webhooks; the timestamp is bound to the body so a receiver can refuse a
// replayed request by its age.
#pragma once

#include <string>

#include "absl/time/time.h"

namespace breachd::dispatch {

std::string SignatureHeader(const std::string& secret, absl::Time at, const std::string& body);

}  // namespace breachd::dispatch
