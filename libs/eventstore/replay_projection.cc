#include "libs/common/status_macros.h"
#include "libs/eventstore/event_store.h"

namespace breachd::eventstore {

absl::Status ReplayProjection(EventStore& store, const Projector& project) {
  RETURN_IF_ERROR(store.ResetProjections());
  // Each event's rows are written unsynced, so the projector can read what earlier events wrote;
  // one sync at the end makes the whole rebuild durable. A crash midway leaves a partial
  // projection, which the next replay (it starts by resetting) rebuilds.
  RETURN_IF_ERROR(store.ReadAll(1, [&](const EventEnvelope& event) -> absl::StatusOr<bool> {
    ASSIGN_OR_RETURN(std::vector<ProjectionWrite> rows, project(event));
    RETURN_IF_ERROR(store.WriteProjection(rows, /*sync=*/false));
    return true;
  }));
  return store.WriteProjection({}, /*sync=*/true);
}

}  // namespace breachd::eventstore
