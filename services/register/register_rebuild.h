// The register's projection rebuilt in one pass from every event of its sources: each breach's
// entry and knowledge folded once from all its events, instead of once per event as the consumer
// does. Pure: no store. The rows are the ones RegisterConsumer writes for the same events,
// whatever order they came in (register_rebuild_test checks it byte for byte).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "breach/v1/register.pb.h"
#include "libs/bus/partition_ownership.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/projection_fold.h"

namespace breachd::register_ {

// Events go in as they are read (each once, any order, any source), grouped by breach; the rows
// of the breaches they touched come out, folded in parallel. Add more events after TakeRows
// (those that arrived during a rebuild) and TakeRows again: only their breaches are folded again,
// from all their events. It holds every event of the breaches of its share (Restrict) as its
// serialized bytes (one string each, about a third of a decoded copy), which are the history
// rows' values as they are, and decodes them again when it folds their breach.
class RebuildFold final : public service::ProjectionFold {
 public:
  // `threads` fold at once, each handing its rows to the sink every `chunk_rows` rows or so.
  // `ownership` (a partitioned register, else nullptr): only the breaches of this instance's
  // partitions are folded, as RegisterConsumer applies only those; not owned.
  explicit RebuildFold(absl::TimeZone zone, int threads = 1, size_t chunk_rows = 10'000,
                       const bus::PartitionOwnership* ownership = nullptr);

  // Takes one event (serialized). INVALID_ARGUMENT for an event of a breach without a tenant.
  absl::StatusOr<bool> Add(const breach::v1::EventEnvelope& event) override;

  // Folds every breach touched since the last call; stops at the first error (returned).
  // ABORTED when a partitioned instance's partitions changed since the fold began (the rows
  // would miss or keep another instance's breaches): the rebuild is to be run again.
  absl::Status TakeRows(const RowSink& sink) override;

  // Entries, breach index, history, timelines, knowledge (register_schema.h).
  std::vector<std::string> FoldedPrefixes() const override;

  bool CanShare() const override { return true; }
  void Restrict(service::FoldShare share) override;
  // The breach of an event, or those a listing showed.
  std::vector<std::string> KeysOf(const breach::v1::EventEnvelope& event) const override;

  size_t breaches() const { return breaches_.size(); }
  size_t events_held() const { return events_held_; }

 private:
  struct Breach {
    // Serialized events (EventEnvelope bytes).
    std::vector<std::string> history;  // what the entry is folded from
    std::vector<std::string> reads;    // the rest (timeline and knowledge)
    std::vector<breach::v1::KnowledgeSources::Read> listed;  // pages and exports that showed it
    bool touched = false;
  };
  // Whether this fold takes the events of `breach_id` (its partitions and its share).
  bool Takes(const std::string& breach_id) const;
  void Touch(const std::string& breach_id, Breach& breach);
  // What one folding thread reuses from breach to breach: the events decoded and a timeline
  // line (their strings keep their storage).
  struct Scratch {
    std::vector<std::unique_ptr<breach::v1::EventEnvelope>> events;
    breach::v1::TimelineEntry line;
  };
  // Every row of one breach. DATA_LOSS if an event held does not decode (never: its own bytes).
  absl::Status AppendRows(const std::string& breach_id, const Breach& breach, Scratch& scratch,
                          std::vector<eventstore::ProjectionWrite>& rows) const;

  absl::TimeZone zone_;
  int threads_;
  size_t chunk_rows_;
  const bus::PartitionOwnership* ownership_;
  std::vector<int32_t> applied_at_start_;  // the partitions applied when the fold began
  service::FoldShare share_;
  size_t events_held_ = 0;
  absl::node_hash_map<std::string, Breach> breaches_;
  std::vector<std::pair<const std::string*, Breach*>> touched_;  // since the last TakeRows
};

// The projection rows (entries, breach index, history, timelines, knowledge) of `events`: every
// event of every source the register consumes, each once, in any order. One thread.
absl::StatusOr<std::vector<eventstore::ProjectionWrite>> RebuildRows(
    const std::vector<breach::v1::EventEnvelope>& events, const absl::TimeZone& zone);

}  // namespace breachd::register_
