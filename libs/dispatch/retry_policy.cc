#include "libs/dispatch/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace breachd::dispatch {

std::optional<absl::Duration> NextBackoff(const RetryPolicy& policy, int failed_attempts) {
  if (failed_attempts >= policy.max_attempts) return std::nullopt;
  if (failed_attempts < 1) return absl::ZeroDuration();
  // In floating seconds, so that a large exponent saturates at max_backoff instead of
  // overflowing.
  const double seconds = absl::ToDoubleSeconds(policy.initial_backoff) *
                         std::pow(policy.multiplier, failed_attempts - 1);
  const double cap = absl::ToDoubleSeconds(policy.max_backoff);
  return absl::Seconds(std::min(seconds, cap));
}

std::optional<absl::Duration> NextBackoff(const RetryPolicy& policy, int failed_attempts,
                                          absl::FunctionRef<double()> uniform01) {
  std::optional<absl::Duration> ceiling = NextBackoff(policy, failed_attempts);
  if (!ceiling.has_value()) return std::nullopt;
  const double fraction = std::clamp(uniform01(), 0.0, 1.0);
  return *ceiling * fraction;
}

bool IsRetryable(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDeadlineExceeded;
}

}  // namespace breachd::dispatch
