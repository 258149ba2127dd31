// How a consuming service's projection is rebuilt from the events in one pass (rather than event
// by event, as its consumer applies them): the events go in as read, the rows come out.
// delivery::ProjectionRebuild drives it beside the serving projection (docs/register.md).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/status/statusor.h"
#include "breach/v1/envelope.pb.h"
#include "libs/eventstore/event_store.h"

namespace breachd::service {

// Which of a projection's keys (for the register, breach ids) a fold holds: a `count`-th of
// them by hash (bounded memory: a rebuild too large for memory goes in several passes, one share
// each), or exactly `keys` when `by_keys` (those that arrivals touched).
struct FoldShare {
  size_t index = 0;
  size_t count = 1;
  bool by_keys = false;
  absl::flat_hash_set<std::string> keys;

  static FoldShare OneOf(size_t index, size_t count) {
    FoldShare share;
    share.index = index;
    share.count = count;
    return share;
  }
  static FoldShare Keys(absl::flat_hash_set<std::string> keys) {
    FoldShare share;
    share.by_keys = true;
    share.keys = std::move(keys);
    return share;
  }

  bool Holds(const std::string& key) const {
    if (by_keys) return keys.contains(key);
    // absl::Hash is stable within a process: every pass of one rebuild agrees.
    return count <= 1 || absl::Hash<std::string>{}(key) % count == index;
  }
};

class ProjectionFold {
 public:
  virtual ~ProjectionFold() = default;
  // Takes one event of a source (each once, any order). True when the event is to be marked
  // consumed in the rebuilt projection (as the live consumer would mark it); false when it is
  // not this fold's (another instance's partition, or outside the share it holds). An error
  // stops the rebuild.
  virtual absl::StatusOr<bool> Add(const breach::v1::EventEnvelope& event) = 0;
  // Receives a chunk of rows; may be called from several threads at once.
  using RowSink = std::function<absl::Status(std::vector<eventstore::ProjectionWrite> rows)>;
  // Hands `sink` the rows of everything the events added since the last call changed (all of
  // them the first time), exactly as the consumer would have written them.
  virtual absl::Status TakeRows(const RowSink& sink) = 0;
  // The key prefixes of the rows it writes. Every other row of the serving projection (the
  // subscription's checkpoints and parked events, a schema row) is carried over at the swap.
  virtual std::vector<std::string> FoldedPrefixes() const = 0;

  // Bounded memory, for a fold that can hold a share of its keys (CanShare). Restrict drops
  // everything held (after TakeRows) and takes only the events of `share`'s keys from then on;
  // KeysOf names the keys an event changes.
  virtual bool CanShare() const { return false; }
  virtual void Restrict(FoldShare share) {}
  virtual std::vector<std::string> KeysOf(const breach::v1::EventEnvelope& event) const {
    return {};
  }
};

}  // namespace breachd::service
