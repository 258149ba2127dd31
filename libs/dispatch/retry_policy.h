// When to try a failed delivery again: exponential back-off with an optional full jitter.
// Pure: the caller owns the clock and the random source.
#pragma once

#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace breachd::dispatch {

struct RetryPolicy {
  int max_attempts = 6;
  absl::Duration initial_backoff = absl::Seconds(30);
  double multiplier = 2;
  absl::Duration max_backoff = absl::Hours(1);
};

// The wait before attempt n+1 after n failed attempts: initial * multiplier^(n-1), at most
// max_backoff; zero for n < 1; nullopt once n >= max_attempts (give up).
std::optional<absl::Duration> NextBackoff(const RetryPolicy& policy, int failed_attempts);

// Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): uniformly in
// [0, NextBackoff], so that many deliveries failed by one outage do not retry in lockstep.
// `uniform01` returns a number in [0, 1).
std::optional<absl::Duration> NextBackoff(const RetryPolicy& policy, int failed_attempts,
                                          absl::FunctionRef<double()> uniform01);

// Whether a failed attempt may succeed later: UNAVAILABLE or DEADLINE_EXCEEDED.
bool IsRetryable(const absl::Status& status);

}  // namespace breachd::dispatch
