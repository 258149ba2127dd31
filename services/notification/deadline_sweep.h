// The clocks' sweep: fires every clock timer that is due (libs/timers), appending each
// DeadlineWarning / DeadlineMissed with the removal of its timer and the clock's new row in the
// same write, so each is emitted exactly once, across crashes and restarts. Many breaches are
// swept per write (one fsync per batch), which is what makes 10,000 clocks fire in a sweep.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/striped_mutex.h"
#include "libs/eventstore/event_store.h"

namespace breachd::notification {

class DeadlineSweep {
 public:
  DeadlineSweep(eventstore::EventStore& store, StripedMutex<>& breach_locks,
                std::function<void()> on_append, size_t batch = 500)
      : store_(store), breach_locks_(breach_locks), on_append_(std::move(on_append)),
        batch_(batch) {}

  // Fires everything due at `now`; returns the next due time (nullopt: no timer armed).
  absl::StatusOr<std::optional<absl::Time>> Sweep(absl::Time now);

 private:
  // One batch; returns how many timers it handled.
  absl::StatusOr<size_t> SweepBatch(absl::Time now);

  eventstore::EventStore& store_;
  StripedMutex<>& breach_locks_;
  std::function<void()> on_append_;
  size_t batch_;
};

}  // namespace breachd::notification
