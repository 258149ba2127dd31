// How a background worker (the dispatcher, the drafter, the incident fan-out) is woken and told
// to stop: Poke() from any thread when there is work; the worker's loop waits with
// WaitForWork(), which also returns after `timeout` (to retry what failed, or to poll) and
// returns false once Stop() was called. A poke that comes before the wait is not lost.
#pragma once

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace breachd {

class WakeSignal {
 public:
  // `poked`: the first wait returns at once (a start resumes what a stop left).
  explicit WakeSignal(bool poked = false) : poked_(poked) {}

  void Poke() {
    absl::MutexLock lock(&mu_);
    poked_ = true;
  }
  // Every wait returns false from now on, the one in progress at once.
  void Stop() {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }
  // For a worker started (again): waits work again; `poked` adds a poke (one made before is kept).
  void Restart(bool poked) {
    absl::MutexLock lock(&mu_);
    stopped_ = false;
    poked_ = poked_ || poked;
  }
  bool stopped() const {
    absl::MutexLock lock(&mu_);
    return stopped_;
  }
  // Waits for a poke, a stop or `timeout`, and takes the poke; false once stopped.
  bool WaitForWork(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(
                             +[](WakeSignal* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
                               return s->poked_ || s->stopped_;
                             },
                             this),
                         timeout);
    if (stopped_) return false;
    poked_ = false;
    return true;
  }

 private:
  mutable absl::Mutex mu_;
  bool poked_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace breachd
