// Time as a dependency: production code asks a Clock, tests hand it a SimulatedClock (FakeClock)
// so that a 72-hour deadline is tested in microseconds and no test ever sleeps.
//
// A Clock also schedules: ScheduleAt runs a callback once at or after a time. SystemClock runs
// callbacks on its own timer thread; SimulatedClock runs them on the thread that advances it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace breachd {

namespace clock_internal {
class AlarmQueue;
}  // namespace clock_internal

// A scheduled callback. Destroying it cancels it.
class Alarm {
 public:
  virtual ~Alarm() = default;
  // After Cancel returns the callback is not running and will not run; it waits for a callback
  // already running on another thread. From inside the callback itself it returns at once.
  // Idempotent.
  virtual void Cancel() = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // Runs `fn` once at or after `at`, never before, unless the returned Alarm is cancelled or
  // destroyed first. The alarm may outlive the clock (it then never runs). `fn` must not
  // block for long: on a SystemClock it delays every other alarm of that clock.
  virtual std::unique_ptr<Alarm> ScheduleAt(absl::Time at, std::function<void()> fn) const = 0;
};

// The wall clock. Alarms run on one timer thread, started at the first ScheduleAt and joined by
// the destructor (for Get(): at process exit, after the alarm running then, if any, returns).
class SystemClock final : public Clock {
 public:
  SystemClock();
  ~SystemClock() override;
  SystemClock(const SystemClock&) = delete;
  SystemClock& operator=(const SystemClock&) = delete;

  absl::Time Now() const override { return absl::Now(); }
  std::unique_ptr<Alarm> ScheduleAt(absl::Time at, std::function<void()> fn) const override;

  // A process-wide instance for wiring in main().
  static const SystemClock& Get();

 private:
  void RunTimerThread() const;

  const std::shared_ptr<clock_internal::AlarmQueue> queue_;
  mutable absl::Mutex thread_mu_;
  mutable std::thread thread_ ABSL_GUARDED_BY(thread_mu_);
  mutable bool stopped_ ABSL_GUARDED_BY(thread_mu_) = false;
};

// A clock that moves only when told to. Thread-safe; advance it from one thread at a time, and
// not from inside one of its alarms.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(absl::Time start = absl::FromUnixSeconds(1767225600));  // 2026-01-01Z
  ~SimulatedClock() override;
  SimulatedClock(const SimulatedClock&) = delete;
  SimulatedClock& operator=(const SimulatedClock&) = delete;

  absl::Time Now() const override;
  std::unique_ptr<Alarm> ScheduleAt(absl::Time at, std::function<void()> fn) const override;

  // Moves time to Now() + d / to `t`, running on this thread, in time order, every alarm due up
  // to the target (also those that alarms schedule on the way), each with Now() == its time (or
  // the current time, for an alarm scheduled in the past). An alarm scheduled at or before Now()
  // runs at the next advance, Advance(absl::ZeroDuration()) included. A target before Now()
  // runs due alarms and leaves the time unchanged.
  void Advance(absl::Duration d);
  void AdvanceTo(absl::Time t);
  // Forward: AdvanceTo(t). Backward: only moves the time; no alarm runs.
  void Set(absl::Time t);

 private:
  const std::shared_ptr<clock_internal::AlarmQueue> queue_;
};

// The name the existing tests use.
using FakeClock = SimulatedClock;

}  // namespace breachd
