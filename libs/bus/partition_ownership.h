// Which breaches one instance of a scaled-out service holds (docs/scaling.md): the partitions
// of breach.events.v1 its consumer group gave it. A breach belongs to the partition of its id,
// by the producer's own partitioner (murmur2, as the Java client), so the bus brings each
// instance exactly the events of the breaches it holds.
//
// Two sets, because a partition must be applied before it can be served:
// - applied: the latest assignment. Kept across an eager rebalance's revoke, so that events
//   applied between the revoke and the next assignment are never skipped for a partition
//   that stays.
// - served: partitions whose events this instance has caught up on since it gained them (a
//   catch-up of every source store from the partition's own checkpoint: from the first event
//   for a partition never held here). Requests, listings and exports show only served
//   breaches, so across instances each breach is shown once.
// Pure bookkeeping, thread-safe; the subscription drives it (delivery/subscription.h).
#pragma once

#include <cstdint>
#include <set>
#include <string_view>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace breachd::bus {

// The partition of `key` among `partition_count` (> 0), as producers place it.
int32_t PartitionOfKey(std::string_view key, int32_t partition_count);

class PartitionOwnership {
 public:
  struct View {
    int32_t partition_count = 0;  // 0 until the first assignment
    std::vector<int32_t> applied;
    std::vector<int32_t> served;
    std::vector<int32_t> pending;  // applied, not yet caught up
  };

  // Whether this instance applies the events of `breach_id` (it is in an assigned partition).
  bool Applies(std::string_view breach_id) const;
  // Whether this instance answers for `breach_id` (assigned and caught up).
  bool Serves(std::string_view breach_id) const;
  int32_t PartitionOf(std::string_view breach_id) const;  // -1 before the first assignment
  View view() const;

  // A new assignment of `partition_count` partitions; returns the partitions gained, which
  // are pending until MarkCaughtUp. Partitions no longer assigned stop being applied and
  // served.
  std::vector<int32_t> Assign(const std::vector<int32_t>& assigned, int32_t partition_count);
  // A revoke: the partitions stop being served at once (another instance may serve them
  // next), but stay applied until the next assignment says otherwise.
  void Revoke(const std::vector<int32_t>& revoked);
  std::vector<int32_t> Pending() const;
  // Every source store was read from its first event since `caught_up` were gained: those
  // still assigned are served.
  void MarkCaughtUp(const std::vector<int32_t>& caught_up);

 private:
  mutable absl::Mutex mu_;
  int32_t partition_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::set<int32_t> applied_ ABSL_GUARDED_BY(mu_);
  std::set<int32_t> assigned_now_ ABSL_GUARDED_BY(mu_);  // cleared by a revoke
  std::set<int32_t> complete_ ABSL_GUARDED_BY(mu_);      // applied and caught up
  std::set<int32_t> pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace breachd::bus
