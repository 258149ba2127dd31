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

#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "breach/v1/register.pb.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/projection_fold.h"

namespace breachd::register_ {

// Events go in as they are read (each once, any order, any source), grouped by breach; the rows
// of the breaches they touched come out, folded in parallel. Add more events after TakeRows
// (those that arrived during a rebuild) and TakeRows again: only their breaches are folded again,
// from all their events.
class RebuildFold final : public service::ProjectionFold {
 public:
  // `threads` fold at once, each handing its rows to the sink every `chunk_rows` rows or so.
  explicit RebuildFold(absl::TimeZone zone, int threads = 1, size_t chunk_rows = 10'000)
      : zone_(zone), threads_(threads), chunk_rows_(chunk_rows) {}

  // Takes one event. INVALID_ARGUMENT for an event of a breach without a tenant.
  absl::Status Add(breach::v1::EventEnvelope event) override;

  // Folds every breach touched since the last call; stops at the first error (returned).
  absl::Status TakeRows(const RowSink& sink) override;

  // Entries, breach index, history, timelines, knowledge (register_schema.h).
  std::vector<std::string> FoldedPrefixes() const override;

  size_t breaches() const { return breaches_.size(); }

 private:
  struct Breach {
    std::vector<breach::v1::EventEnvelope> history;  // what the entry is folded from
    std::vector<breach::v1::EventEnvelope> reads;    // the rest (timeline and knowledge only)
    std::vector<breach::v1::KnowledgeSources::Read> listed;  // pages and exports that showed it
    bool touched = false;
  };
  void Touch(const std::string& breach_id, Breach& breach);
  // Every row of one breach.
  void AppendRows(const std::string& breach_id, const Breach& breach,
                  std::vector<eventstore::ProjectionWrite>& rows) const;

  absl::TimeZone zone_;
  int threads_;
  size_t chunk_rows_;
  absl::node_hash_map<std::string, Breach> breaches_;
  std::vector<std::pair<const std::string*, Breach*>> touched_;  // since the last TakeRows
};

// The projection rows (entries, breach index, history, timelines, knowledge) of `events`: every
// event of every source the register consumes, each once, in any order. One thread.
absl::StatusOr<std::vector<eventstore::ProjectionWrite>> RebuildRows(
    const std::vector<breach::v1::EventEnvelope>& events, const absl::TimeZone& zone);

}  // namespace breachd::register_
