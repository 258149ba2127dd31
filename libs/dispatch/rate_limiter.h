// A token bucket for outgoing deliveries (mail servers throttle bursts), driven by a Clock so
// that tests move time instead of sleeping. Thread-safe.
#pragma once

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace breachd::dispatch {

class RateLimiter {
 public:
  // `per_second` tokens are added each second, up to `burst`; the bucket starts full.
  RateLimiter(const Clock& clock, double per_second, double burst);

  // Takes a token if there is one.
  bool TryAcquire();
  // How long until a token is there (zero if one is there now).
  absl::Duration WaitTime();

 private:
  void RefillLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const double per_second_;
  const double burst_;
  absl::Mutex mu_;
  double tokens_ ABSL_GUARDED_BY(mu_);
  absl::Time last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace breachd::dispatch
