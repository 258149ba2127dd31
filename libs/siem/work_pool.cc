#include "libs/siem/work_pool.h"

namespace breachd::siem {

WorkPool::WorkPool(size_t threads) {
  for (size_t i = 1; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

WorkPool::~WorkPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& worker : workers_) worker.join();
}

void WorkPool::Drain() {
  while (task_ != nullptr && next_ < tasks_) {
    const size_t index = next_++;
    ++running_;
    const auto* task = task_;
    mu_.Unlock();
    absl::Status done = (*task)(index);
    mu_.Lock();
    --running_;
    if (!done.ok() && status_.ok()) status_ = std::move(done);
  }
}

void WorkPool::Work() {
  absl::MutexLock lock(&mu_);
  while (true) {
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_ || (task_ != nullptr && next_ < tasks_);
    };
    mu_.Await(absl::Condition(&ready));
    if (stopping_) return;
    Drain();
  }
}

absl::Status WorkPool::Run(size_t tasks, const std::function<absl::Status(size_t)>& task) {
  absl::MutexLock lock(&mu_);
  task_ = &task;
  next_ = 0;
  tasks_ = tasks;
  status_ = absl::OkStatus();
  Drain();
  auto finished = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return running_ == 0; };
  mu_.Await(absl::Condition(&finished));
  task_ = nullptr;
  return std::move(status_);
}

}  // namespace breachd::siem
