// Runs a service's timer sweep when timers fall due, by the service's Clock.
//
// The sweep fires what is due at `now` (see durable_timers.h) and returns the next due time, or
// nullopt when nothing is armed; a time <= now (more was due than one batch) sweeps again at once. Start() sweeps at once (catching up what fell due while the
// service was down), then the sweeper keeps one Alarm at the next due time. After arming a timer
// the caller calls Poke(), so a timer earlier than the alarm is not missed. A failed sweep is
// logged and retried after `retry_after`. Sweeps never overlap.
//
// With a SimulatedClock every sweep runs inside Advance, in order, on the advancing thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace breachd::timers {

class TimerSweeper {
 public:
  using Sweep = std::function<absl::StatusOr<std::optional<absl::Time>>(absl::Time now)>;

  // `clock` is not owned and must outlive the sweeper.
  TimerSweeper(const Clock& clock, Sweep sweep, absl::Duration retry_after = absl::Seconds(1));
  ~TimerSweeper();  // Stop()
  TimerSweeper(const TimerSweeper&) = delete;
  TimerSweeper& operator=(const TimerSweeper&) = delete;

  // Sweeps now, on the calling thread, then schedules the next sweep.
  void Start();
  // Makes a sweep happen soon (an alarm at Now()) that sees every timer armed before the call.
  // Never waits for a sweep. Does nothing before Start or after Stop.
  void Poke();
  // The same for timers armed no earlier than `earliest`: nothing to do while an alarm at or
  // before it is pending and no sweep is running (that alarm's sweep sees them). A reaction
  // arming one case's clock, thousands in a burst, then costs no alarm and no sweep.
  void Poke(absl::Time earliest);
  // Cancels the next sweep and waits for a running one. Not from inside the sweep.
  void Stop();

 private:
  void SweepNow();

  const Clock& clock_;
  const Sweep sweep_;
  const absl::Duration retry_after_;

  absl::Mutex sweep_mu_;  // held for the whole of one sweep
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool poked_ ABSL_GUARDED_BY(mu_) = false;  // a Poke since the running sweep read the timers
  bool sweeping_ ABSL_GUARDED_BY(mu_) = false;  // a sweep has read, or may read, the timers
  // Never destroyed with mu_ held: cancelling waits for a running SweepNow, which takes mu_.
  std::unique_ptr<Alarm> alarm_ ABSL_GUARDED_BY(mu_);
  absl::Time alarm_at_ ABSL_GUARDED_BY(mu_);
};

}  // namespace breachd::timers
