#include "services/register/register_consumer.h"

#include "libs/common/status_macros.h"
#include "services/register/register_projection.h"
#include "services/register/register_schema.h"

namespace breachd::register_ {

absl::StatusOr<bool> RegisterConsumer::ApplyConsumed(const breach::v1::EventEnvelope& event) {
  std::optional<breach::v1::RegisterEntry> entry;
  const std::string breach_id = BreachIdOf(event);
  if (!breach_id.empty()) {
    ASSIGN_OR_RETURN(entry, FindEntry(store_, event.tenant(), breach_id));
  }
  ASSIGN_OR_RETURN(std::vector<eventstore::ProjectionWrite> writes, Project(event, entry, zone_));
  // Not fsynced here: the consumer syncs once before it commits offsets (see Suite).
  return store_.ApplyConsumed(event.event_id(), writes, /*sync=*/false);
}

}  // namespace breachd::register_
