#include "services/notification/stream_change.h"

#include <set>

#include "libs/common/status_macros.h"
#include "libs/service/event_factory.h"
#include "libs/timers/durable_timers.h"
#include "services/notification/notification_schema.h"

namespace breachd::notification {

auth::Principal SystemPrincipal() {
  return {"service:notification", auth::kProviderTenant, {"system"}};
}

eventstore::AppendRequest ToAppend(const StreamChange& change, const auth::Principal& actor,
                                   const std::string& causation_id, absl::Time now) {
  eventstore::AppendRequest append;
  append.stream_id = change.stream_id;
  for (const auto& payload : change.payloads) {
    append.events.push_back(service::MakeEvent({kServiceName, actor, causation_id, change.stream_id},
                                               change.tenant, now, *payload));
  }
  append.projection = change.rows;
  return append;
}

absl::Status AddClockTimers(eventstore::EventStore& store, const breach::v1::DutyClock& clock,
                            std::vector<eventstore::ProjectionWrite>& rows) {
  std::set<std::string> kept;
  for (const ClockTimerSpec& timer : TimersFor(clock)) {
    ASSIGN_OR_RETURN(std::vector<eventstore::ProjectionWrite> armed,
                     timers::ArmTimer(store, timer.id, timer.at, timer.payload.SerializeAsString()));
    rows.insert(rows.end(), armed.begin(), armed.end());
    kept.insert(timer.id);
  }
  ASSIGN_OR_RETURN(std::vector<timers::DueTimer> existing,
                   timers::TimersWithPrefix(
                       store, ClockTimerPrefix(clock.breach_id(), clock.deadline().duty())));
  for (const timers::DueTimer& timer : existing) {
    if (kept.count(timer.id) > 0) continue;
    ASSIGN_OR_RETURN(std::vector<eventstore::ProjectionWrite> removed,
                     timers::DisarmTimer(store, timer.id));
    rows.insert(rows.end(), removed.begin(), removed.end());
  }
  return absl::OkStatus();
}

absl::Status AddClockPlan(eventstore::EventStore& store, const std::string& tenant,
                          const ClockPlan& plan, ClockMap& clocks, StreamChange& change) {
  for (const breach::v1::ClockArmed& armed : plan.armed) {
    breach::v1::DutyClock& clock = clocks[armed.deadline().duty()];
    ApplyArmed(armed, tenant, clock);
    change.rows.push_back({ClockKey(armed.breach_id(), armed.deadline().duty()),
                           clock.SerializeAsString()});
    RETURN_IF_ERROR(AddClockTimers(store, clock, change.rows));
    change.Emit(armed);
  }
  for (const breach::v1::ClockDisarmed& disarmed : plan.disarmed) {
    breach::v1::DutyClock& clock = clocks[disarmed.duty()];
    ApplyDisarmed(disarmed, clock);
    change.rows.push_back({ClockKey(disarmed.breach_id(), disarmed.duty()),
                           clock.SerializeAsString()});
    RETURN_IF_ERROR(AddClockTimers(store, clock, change.rows));
    change.Emit(disarmed);
  }
  return absl::OkStatus();
}

absl::Status SealEvents(StreamChange& change, privacy::FieldCipher* cipher) {
  if (cipher == nullptr) return absl::OkStatus();
  for (const auto& payload : change.payloads) {
    RETURN_IF_ERROR(cipher->SealPersonalData(*payload, change.tenant));
  }
  return absl::OkStatus();
}

absl::Status AddDraft(breach::v1::Draft draft, StreamChange& change,
                      privacy::FieldCipher* cipher) {
  // Sealed once; the row is its bytes and the event carries the sealed draft itself (moved,
  // not parsed back from the row: the documents are the bulk of a reaction).
  breach::v1::DraftPrepared prepared;
  breach::v1::Draft& sealed = *prepared.mutable_draft();
  sealed = std::move(draft);
  if (cipher != nullptr) RETURN_IF_ERROR(cipher->SealPersonalData(sealed, change.tenant));
  change.rows.push_back({DraftKey(sealed.breach_id(), sealed.duty(), sealed.draft_version()),
                         sealed.SerializeAsString()});
  change.Emit(std::move(prepared));
  return absl::OkStatus();
}

}  // namespace breachd::notification
