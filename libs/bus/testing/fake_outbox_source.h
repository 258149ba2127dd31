// An in-memory OutboxSource for tests: events get positions 1, 2, 3... in Add order and stay
// pending until acked or parked. Can be told to fail reads, acks or parks.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/bus/bus.h"

namespace breachd::bus::testing {

class FakeOutboxSource : public OutboxSource {
 public:
  // Appends `event` with the next position (overwriting event.position) and returns it.
  uint64_t Add(breach::v1::EventEnvelope event) {
    absl::MutexLock lock(&mu_);
    event.set_position(++last_position_);
    pending_[last_position_] = std::move(event);
    return last_position_;
  }

  absl::StatusOr<std::vector<breach::v1::EventEnvelope>> PendingOutbox(size_t limit) override {
    absl::MutexLock lock(&mu_);
    if (!fail_reads_.ok()) return fail_reads_;
    std::vector<breach::v1::EventEnvelope> out;
    for (auto it = pending_.begin(); it != pending_.end() && out.size() < limit; ++it) {
      out.push_back(it->second);
    }
    return out;
  }

  absl::Status AckOutbox(const std::vector<uint64_t>& positions) override {
    absl::MutexLock lock(&mu_);
    if (!fail_acks_.ok()) return fail_acks_;
    for (uint64_t position : positions) {
      if (pending_.erase(position) > 0) ++acked_;
    }
    return absl::OkStatus();
  }

  absl::Status ParkOutbox(uint64_t position, const std::string& reason) override {
    absl::MutexLock lock(&mu_);
    if (!fail_parks_.ok()) return fail_parks_;
    auto it = pending_.find(position);
    if (it == pending_.end()) return absl::NotFoundError("not in the outbox");
    parked_[position] = reason;
    pending_.erase(it);
    return absl::OkStatus();
  }

  // Parked position -> reason.
  std::map<uint64_t, std::string> parked() const {
    absl::MutexLock lock(&mu_);
    return parked_;
  }
  size_t pending() const {
    absl::MutexLock lock(&mu_);
    return pending_.size();
  }
  uint64_t acked() const {
    absl::MutexLock lock(&mu_);
    return acked_;
  }
  void FailReads(absl::Status status) {
    absl::MutexLock lock(&mu_);
    fail_reads_ = std::move(status);
  }
  void FailAcks(absl::Status status) {
    absl::MutexLock lock(&mu_);
    fail_acks_ = std::move(status);
  }
  void FailParks(absl::Status status) {
    absl::MutexLock lock(&mu_);
    fail_parks_ = std::move(status);
  }

 private:
  mutable absl::Mutex mu_;
  uint64_t last_position_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t acked_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<uint64_t, breach::v1::EventEnvelope> pending_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::string> parked_ ABSL_GUARDED_BY(mu_);
  absl::Status fail_reads_ ABSL_GUARDED_BY(mu_);
  absl::Status fail_acks_ ABSL_GUARDED_BY(mu_);
  absl::Status fail_parks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace breachd::bus::testing
