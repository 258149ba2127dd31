// The register's projection rebuilt in one pass from every event of its sources: each breach's
// entry and knowledge folded once from all its events, instead of once per event as the consumer
// does. Pure: no store. The rows are the ones RegisterConsumer writes for the same events,
// whatever order they came in (register_rebuild_test checks it).
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "libs/eventstore/event_store.h"

namespace breachd::register_ {

// The projection rows (entries, breach index, history, timelines, knowledge) of `events`: every
// event of every source the register consumes, each once, in any order.
absl::StatusOr<std::vector<eventstore::ProjectionWrite>> RebuildRows(
    const std::vector<breach::v1::EventEnvelope>& events, const absl::TimeZone& zone);

}  // namespace breachd::register_
