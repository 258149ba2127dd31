// A few threads that run the tasks of one job at a time: the SIEM relay builds a batch's
// documents on them, each task a contiguous range of store positions. Started once and reused.
#pragma once

#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace breachd::siem {

class WorkPool {
 public:
  // `threads` in all, counting the caller of Run (so 1 runs everything on the caller).
  explicit WorkPool(size_t threads);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  size_t threads() const { return workers_.size() + 1; }

  // Runs task(0) .. task(tasks - 1), on the pool and on the calling thread, and returns once all
  // have finished: OK, or the first error a task returned. One Run at a time.
  absl::Status Run(size_t tasks, const std::function<absl::Status(size_t)>& task);

 private:
  void Work();
  // Takes and runs tasks of the current job until none is left.
  void Drain() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  const std::function<absl::Status(size_t)>* task_ ABSL_GUARDED_BY(mu_) = nullptr;
  size_t next_ ABSL_GUARDED_BY(mu_) = 0;      // the next task to hand out
  size_t tasks_ ABSL_GUARDED_BY(mu_) = 0;
  size_t running_ ABSL_GUARDED_BY(mu_) = 0;   // tasks handed out and not finished
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace breachd::siem
