#include "libs/common/clock.h"

#include <algorithm>
#include <map>
#include <utility>

namespace breachd {
namespace clock_internal {

// Pending alarms in (time, sequence) order, shared by a clock and its alarms so that an alarm
// may outlive its clock. One callback runs at a time.
class AlarmQueue {
 public:
  using Key = std::pair<absl::Time, uint64_t>;

  explicit AlarmQueue(absl::Time now) : now_(now) {}

  std::unique_ptr<Alarm> Add(const std::shared_ptr<AlarmQueue>& self, absl::Time at,
                             std::function<void()> fn);
  void Cancel(const Key& key);

  // Runs the earliest alarm if it is due at or before `limit`, with mu_ released meanwhile.
  // `simulated`: first moves now_ to the alarm's time (never backwards). False if none is due.
  bool RunEarliestDueLocked(absl::Time limit, bool simulated) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops every pending callback (outside the lock: they may own alarms of this queue).
  void Clear();

  absl::Mutex mu_;
  // Signalled on a new alarm, a finished callback and stop.
  absl::CondVar changed_;
  std::map<Key, std::function<void()>> pending_ ABSL_GUARDED_BY(mu_);
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t running_ ABSL_GUARDED_BY(mu_) = 0;  // sequence of the running callback, 0: none
  std::thread::id running_thread_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time now_ ABSL_GUARDED_BY(mu_);  // SimulatedClock only
};

namespace {

class QueuedAlarm final : public Alarm {
 public:
  QueuedAlarm(std::shared_ptr<AlarmQueue> queue, AlarmQueue::Key key)
      : queue_(std::move(queue)), key_(key) {}
  ~QueuedAlarm() override { Cancel(); }
  void Cancel() override { queue_->Cancel(key_); }

 private:
  const std::shared_ptr<AlarmQueue> queue_;
  const AlarmQueue::Key key_;
};

}  // namespace

std::unique_ptr<Alarm> AlarmQueue::Add(const std::shared_ptr<AlarmQueue>& self, absl::Time at,
                                       std::function<void()> fn) {
  absl::MutexLock lock(&mu_);
  const Key key{at, next_seq_++};
  pending_.emplace(key, std::move(fn));
  changed_.SignalAll();
  return std::make_unique<QueuedAlarm>(self, key);
}

void AlarmQueue::Cancel(const Key& key) {
  std::function<void()> dropped;  // destroyed after the lock is released
  absl::MutexLock lock(&mu_);
  if (auto it = pending_.find(key); it != pending_.end()) {
    dropped = std::move(it->second);
    pending_.erase(it);
    return;
  }
  // Waiting for ourselves would never end; the caller is the callback and knows it is running.
  if (running_thread_ == std::this_thread::get_id()) return;
  while (running_ == key.second) changed_.Wait(&mu_);
}

bool AlarmQueue::RunEarliestDueLocked(absl::Time limit, bool simulated) {
  if (pending_.empty() || pending_.begin()->first.first > limit) return false;
  auto it = pending_.begin();
  if (simulated) now_ = std::max(now_, it->first.first);
  std::function<void()> fn = std::move(it->second);
  running_ = it->first.second;
  running_thread_ = std::this_thread::get_id();
  pending_.erase(it);
  mu_.Unlock();
  fn();
  fn = nullptr;  // its captures go before Cancel may return
  mu_.Lock();
  running_ = 0;
  running_thread_ = std::thread::id();
  changed_.SignalAll();
  return true;
}

void AlarmQueue::Clear() {
  std::map<Key, std::function<void()>> dropped;
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  dropped.swap(pending_);
  changed_.SignalAll();
}

}  // namespace clock_internal

using clock_internal::AlarmQueue;

SystemClock::SystemClock() : queue_(std::make_shared<AlarmQueue>(absl::InfinitePast())) {}

SystemClock::~SystemClock() {
  queue_->Clear();
  std::thread thread;
  {
    // Joined outside the lock: the running alarm may still call ScheduleAt.
    absl::MutexLock lock(&thread_mu_);
    stopped_ = true;
    thread.swap(thread_);
  }
  if (!thread.joinable()) return;
  // exit() called from an alarm: the thread cannot join itself.
  if (thread.get_id() == std::this_thread::get_id()) {
    thread.detach();
  } else {
    thread.join();
  }
}

const SystemClock& SystemClock::Get() {
  static const SystemClock clock;
  return clock;
}

std::unique_ptr<Alarm> SystemClock::ScheduleAt(absl::Time at, std::function<void()> fn) const {
  {
    absl::MutexLock lock(&thread_mu_);
    // After the destructor began, alarms are accepted and never run.
    if (!stopped_ && !thread_.joinable()) thread_ = std::thread([this] { RunTimerThread(); });
  }
  return queue_->Add(queue_, at, std::move(fn));
}

void SystemClock::RunTimerThread() const {
  AlarmQueue& queue = *queue_;
  absl::MutexLock lock(&queue.mu_);
  while (!queue.stopping_) {
    if (queue.pending_.empty()) {
      queue.changed_.Wait(&queue.mu_);
      continue;
    }
    const absl::Time next = queue.pending_.begin()->first.first;
    if (absl::Now() < next) {
      queue.changed_.WaitWithDeadline(&queue.mu_, next);
      continue;
    }
    queue.RunEarliestDueLocked(absl::InfiniteFuture(), /*simulated=*/false);
  }
}

SimulatedClock::SimulatedClock(absl::Time start) : queue_(std::make_shared<AlarmQueue>(start)) {}

SimulatedClock::~SimulatedClock() { queue_->Clear(); }

absl::Time SimulatedClock::Now() const {
  absl::MutexLock lock(&queue_->mu_);
  return queue_->now_;
}

std::unique_ptr<Alarm> SimulatedClock::ScheduleAt(absl::Time at, std::function<void()> fn) const {
  return queue_->Add(queue_, at, std::move(fn));
}

void SimulatedClock::Advance(absl::Duration d) {
  absl::Time target;
  {
    absl::MutexLock lock(&queue_->mu_);
    target = queue_->now_ + d;
  }
  AdvanceTo(target);
}

void SimulatedClock::AdvanceTo(absl::Time t) {
  absl::MutexLock lock(&queue_->mu_);
  // An alarm scheduled in the past is due now, even if `t` is earlier still.
  const absl::Time limit = std::max(t, queue_->now_);
  while (!queue_->stopping_ && queue_->RunEarliestDueLocked(limit, /*simulated=*/true)) {
  }
  queue_->now_ = std::max(queue_->now_, t);
}

void SimulatedClock::Set(absl::Time t) {
  {
    absl::MutexLock lock(&queue_->mu_);
    if (t < queue_->now_) {
      queue_->now_ = t;
      return;
    }
  }
  AdvanceTo(t);
}

}  // namespace breachd
