// Bus side of the notification service: folds the other services' events into its own cases and
// reacts to what moves a clock (a breach verdict fixing awareness, a correction of it, confirmed
// duties, an override, closing) by appending ClockArmed / ClockDisarmed with the timers they
// need. When a provider-wide incident's case opens or is amended from the incident, the same
// append leaves a "draft due" row: the IncidentDrafter drafts the processor's notice to the
// school from it, after the clocks (incident_drafter.h). A reaction is appended with a
// "reacted" row for the consumed event, so a redelivered event (bus replay, catch-up) never
// arms twice nor leaves a second row.
#pragma once

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "breach/v1/envelope.pb.h"
#include "libs/common/clock.h"
#include "libs/common/striped_mutex.h"
#include "libs/eventstore/event_store.h"
#include "libs/regulation/engine.h"
#include "libs/service/hosted_service.h"
#include "services/notification/clock_planner.h"
#include "services/notification/stream_change.h"

namespace breachd::notification {

class CaseReactor {
 public:
  // `on_timers_armed` is called after a reaction armed or moved timers, with the earliest time
  // any of them may fire (wakes the sweeper if its next sweep is later); `on_append` after every
  // append (wakes the relay); `on_drafts_due` after a reaction left a notice to draft (wakes the
  // drafter).
  CaseReactor(eventstore::EventStore& store, StripedMutex<>& breach_locks, const Clock& clock,
              std::shared_ptr<const regulation::RegulationEngine> engine,
              std::function<void()> on_append,
              std::function<void(absl::Time earliest)> on_timers_armed,
              std::function<void()> on_drafts_due);

  // Applies an event at most once; true if it was new.
  absl::StatusOr<bool> Apply(const breach::v1::EventEnvelope& event);

  service::EventConsumer Hooks();

 private:
  // A school added to or changed in the directory (SchoolImported): its profile follows.
  absl::StatusOr<bool> ApplySchool(const breach::v1::EventEnvelope& event);

  eventstore::EventStore& store_;
  StripedMutex<>& breach_locks_;
  const Clock& clock_;
  std::shared_ptr<const regulation::RegulationEngine> engine_;
  std::function<void()> on_append_;
  std::function<void(absl::Time earliest)> on_timers_armed_;
  std::function<void()> on_drafts_due_;
};

// The earliest time a timer armed by `plan` may fire (a warning or the deadline), or
// InfiniteFuture when it arms nothing (disarming never makes a sweep late).
absl::Time EarliestTimer(const ClockPlan& plan);

// The cause a ClockArmed records for a reaction to `event` ("duties decided", ...).
std::string ClockCause(const breach::v1::EventEnvelope& event);

}  // namespace breachd::notification
