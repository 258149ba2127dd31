#include "libs/bus/partition_ownership.h"

#include <librdkafka/rdkafka.h>

namespace breachd::bus {

int32_t PartitionOfKey(std::string_view key, int32_t partition_count) {
  // librdkafka's own murmur2 partitioner (the producer's: partitioner=murmur2_random with a
  // key); it does not look at the topic handle.
  return rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), partition_count,
                                          nullptr, nullptr);
}

int32_t PartitionOwnership::PartitionOf(std::string_view breach_id) const {
  absl::MutexLock lock(&mu_);
  return partition_count_ == 0 ? -1 : PartitionOfKey(breach_id, partition_count_);
}

bool PartitionOwnership::Applies(std::string_view breach_id) const {
  absl::MutexLock lock(&mu_);
  return partition_count_ > 0 && applied_.count(PartitionOfKey(breach_id, partition_count_)) > 0;
}

bool PartitionOwnership::Serves(std::string_view breach_id) const {
  absl::MutexLock lock(&mu_);
  if (partition_count_ == 0) return false;
  const int32_t partition = PartitionOfKey(breach_id, partition_count_);
  return complete_.count(partition) > 0 && assigned_now_.count(partition) > 0;
}

PartitionOwnership::View PartitionOwnership::view() const {
  absl::MutexLock lock(&mu_);
  View view{partition_count_, {applied_.begin(), applied_.end()}, {}, {pending_.begin(), pending_.end()}};
  for (int32_t partition : complete_) {
    if (assigned_now_.count(partition)) view.served.push_back(partition);
  }
  return view;
}

std::vector<int32_t> PartitionOwnership::Assign(const std::vector<int32_t>& assigned,
                                                int32_t partition_count) {
  absl::MutexLock lock(&mu_);
  if (partition_count != partition_count_) {
    // Another partition count moves every key: nothing held so far is known to be complete.
    applied_.clear();
    complete_.clear();
    pending_.clear();
    partition_count_ = partition_count;
  }
  const std::set<int32_t> now(assigned.begin(), assigned.end());
  std::vector<int32_t> gained;
  for (int32_t partition : now) {
    if (!applied_.count(partition)) gained.push_back(partition);
  }
  applied_ = now;
  assigned_now_ = now;
  std::set<int32_t> complete;
  for (int32_t partition : complete_) {
    if (now.count(partition)) complete.insert(partition);
  }
  complete_ = std::move(complete);
  std::set<int32_t> pending(gained.begin(), gained.end());
  for (int32_t partition : pending_) {
    if (now.count(partition)) pending.insert(partition);
  }
  pending_ = std::move(pending);
  return gained;
}

void PartitionOwnership::Revoke(const std::vector<int32_t>& revoked) {
  absl::MutexLock lock(&mu_);
  for (int32_t partition : revoked) assigned_now_.erase(partition);
}

std::vector<int32_t> PartitionOwnership::Pending() const {
  absl::MutexLock lock(&mu_);
  return {pending_.begin(), pending_.end()};
}

void PartitionOwnership::MarkCaughtUp(const std::vector<int32_t>& caught_up) {
  absl::MutexLock lock(&mu_);
  for (int32_t partition : caught_up) {
    // Revoked meanwhile but still applied: complete, served again if it comes back.
    if (pending_.erase(partition) && applied_.count(partition)) complete_.insert(partition);
  }
}

}  // namespace breachd::bus
