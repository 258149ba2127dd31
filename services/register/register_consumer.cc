#include "services/register/register_consumer.h"

#include "libs/common/status_macros.h"
#include "services/register/register_projection.h"
#include "services/register/register_schema.h"

namespace breachd::register_ {

absl::StatusOr<bool> RegisterConsumer::ApplyConsumed(const breach::v1::EventEnvelope& event) {
  std::vector<breach::v1::EventEnvelope> history;
  const std::string breach_id = BreachIdOf(event);
  if (!breach_id.empty()) {
    ASSIGN_OR_RETURN(history, ReadHistory(store_, breach_id));
  }
  ASSIGN_OR_RETURN(std::vector<eventstore::ProjectionWrite> writes,
                   Project(event, std::move(history), zone_));
  // Not fsynced here: the consumer syncs once before it commits offsets (see Suite).
  return store_.ApplyConsumed(event.event_id(), writes, /*sync=*/false);
}

}  // namespace breachd::register_
