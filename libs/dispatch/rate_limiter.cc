#include "libs/dispatch/rate_limiter.h"

#include <algorithm>

namespace breachd::dispatch {

RateLimiter::RateLimiter(const Clock& clock, double per_second, double burst)
    : clock_(clock),
      per_second_(per_second),
      burst_(std::max(burst, 1.0)),
      tokens_(std::max(burst, 1.0)),
      last_(clock.Now()) {}

void RateLimiter::RefillLocked() {
  const absl::Time now = clock_.Now();
  // A clock that went back adds nothing, and the time it goes forward again is not counted twice.
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * per_second_);
    last_ = now;
  }
}

bool RateLimiter::TryAcquire() {
  absl::MutexLock lock(&mu_);
  RefillLocked();
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

absl::Duration RateLimiter::WaitTime() {
  absl::MutexLock lock(&mu_);
  RefillLocked();
  if (tokens_ >= 1) return absl::ZeroDuration();
  if (per_second_ <= 0) return absl::InfiniteDuration();
  return absl::Seconds((1 - tokens_) / per_second_);
}

}  // namespace breachd::dispatch
