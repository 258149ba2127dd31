#include "libs/timers/timer_sweeper.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/log.h"

namespace breachd::timers {

TimerSweeper::TimerSweeper(const Clock& clock, Sweep sweep, absl::Duration retry_after)
    : clock_(clock), sweep_(std::move(sweep)), retry_after_(retry_after) {}

TimerSweeper::~TimerSweeper() { Stop(); }

void TimerSweeper::Start() {
  {
    absl::MutexLock lock(&mu_);
    if (started_ || stopped_) return;
    started_ = true;
  }
  SweepNow();
}

void TimerSweeper::Poke() {
  std::unique_ptr<Alarm> replaced;  // destroyed after the lock is released
  absl::MutexLock lock(&mu_);
  if (!started_ || stopped_) return;
  poked_ = true;
  const absl::Time now = clock_.Now();
  // An alarm already due is pending or running: it sweeps, or sweeps again on seeing poked_.
  // Replacing it could wait for a whole sweep, and the caller may hold a lock the sweep takes.
  if (alarm_ != nullptr && alarm_at_ <= now) return;
  replaced = std::move(alarm_);
  alarm_ = clock_.ScheduleAt(now, [this] { SweepNow(); });
  alarm_at_ = now;
}

void TimerSweeper::Poke(absl::Time earliest) {
  {
    absl::MutexLock lock(&mu_);
    // A running sweep may have read the timers before these were armed: it must see poked_.
    if (!sweeping_ && alarm_ != nullptr && alarm_at_ <= earliest) return;
  }
  Poke();
}

void TimerSweeper::Stop() {
  std::unique_ptr<Alarm> cancelled;
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    cancelled = std::move(alarm_);
  }
  cancelled.reset();
  absl::MutexLock sweeping(&sweep_mu_);  // a sweep that Start runs on another thread
}

void TimerSweeper::SweepNow() {
  // Usually the alarm running this sweep. Destroyed last, with no lock held: cancelling another
  // alarm waits for its callback, which may be waiting for sweep_mu_.
  std::unique_ptr<Alarm> replaced;
  // Held until the next sweep is scheduled, so that an older sweep's next time never replaces
  // a newer one's.
  absl::MutexLock sweeping(&sweep_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    poked_ = false;
    sweeping_ = true;
  }
  const absl::StatusOr<std::optional<absl::Time>> next = sweep_(clock_.Now());
  std::optional<absl::Time> at;
  if (!next.ok()) {
    at = clock_.Now() + retry_after_;
    log::Error("timer sweep failed; will retry",
               {{"error", next.status().ToString()},
                {"retry_in", absl::FormatDuration(retry_after_)}});
  } else {
    at = *next;
  }
  absl::MutexLock lock(&mu_);
  sweeping_ = false;
  if (stopped_) return;
  if (poked_) at = at.has_value() ? std::min(*at, clock_.Now()) : clock_.Now();
  replaced = std::move(alarm_);
  if (!at.has_value()) return;
  alarm_ = clock_.ScheduleAt(*at, [this] { SweepNow(); });
  alarm_at_ = *at;
}

}  // namespace breachd::timers
