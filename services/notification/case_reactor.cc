#include "services/notification/case_reactor.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/service/event_factory.h"
#include "services/notification/clock_planner.h"
#include "services/notification/incident_drafter.h"
#include "services/notification/notification_case.h"
#include "services/notification/notification_decisions.h"
#include "services/notification/notification_schema.h"
#include "services/notification/stream_change.h"

namespace breachd::notification {

CaseReactor::CaseReactor(eventstore::EventStore& store, StripedMutex<>& breach_locks,
                         const Clock& clock,
                         std::shared_ptr<const regulation::RegulationEngine> engine,
                         std::function<void()> on_append,
                         std::function<void(absl::Time earliest)> on_timers_armed,
                         std::function<void()> on_drafts_due)
    : store_(store),
      breach_locks_(breach_locks),
      clock_(clock),
      engine_(std::move(engine)),
      on_append_(std::move(on_append)),
      on_timers_armed_(std::move(on_timers_armed)),
      on_drafts_due_(std::move(on_drafts_due)) {}

absl::Time EarliestTimer(const ClockPlan& plan) {
  absl::Time earliest = absl::InfiniteFuture();
  for (const breach::v1::ClockArmed& armed : plan.armed) {
    // As TimersFor arms them: the deadline's timer even without a due time (it fires at once).
    earliest = std::min(earliest, TimeFromProto(armed.deadline().due_at()));
    for (const auto& warning : armed.deadline().warnings()) {
      earliest = std::min(earliest, TimeFromProto(warning.at()));
    }
  }
  return earliest;
}

std::string ClockCause(const breach::v1::EventEnvelope& event) {
  const std::string type = service::ShortType(event.type());
  if (type == "BreachTriaged") {
    breach::v1::BreachTriaged triaged;
    if (event.payload().UnpackTo(&triaged) && triaged.has_previous_awareness()) {
      return "awareness corrected";
    }
    return "awareness fixed (authority notification presumed required until decided)";
  }
  if (type == "BreachReported") {
    breach::v1::BreachReported reported;
    if (event.payload().UnpackTo(&reported) && !reported.incident_id().empty()) {
      return absl::StrCat("the provider's awareness (incident ", reported.incident_id(), ")");
    }
  }
  if (type == "DutiesDecided") return "duties decided";
  if (type == "DutyOverridden") return "duty overridden";
  if (type == "AssessmentSubmitted") return "assessment submitted";
  if (type == "BreachReopened") return "breach reopened";
  return type;
}

absl::StatusOr<bool> CaseReactor::Apply(const breach::v1::EventEnvelope& event) {
  // Its own events changed its rows when they were appended.
  if (event.source() == kServiceName) return store_.ApplyConsumed(event.event_id(), {}, false);
  // An event applied before (the bus redelivers what catch-up applied ahead of it, or the
  // reverse) costs one lookup, not a read of its case and a plan.
  ASSIGN_OR_RETURN(const bool consumed, store_.WasConsumed(event.event_id()));
  if (consumed) return false;
  if (event.payload().Is<breach::v1::SchoolImported>()) return ApplySchool(event);
  absl::MutexLock lock(&breach_locks_.For(CaseKey(event.stream_id())));
  ASSIGN_OR_RETURN(std::optional<std::string> reacted,
                   store_.GetProjection(ReactedKey(event.event_id())));
  if (reacted.has_value()) return store_.ApplyConsumed(event.event_id(), {}, false);
  ASSIGN_OR_RETURN(std::optional<breach::v1::NotificationCase> found,
                   FindCase(store_, event.stream_id()));
  // Notices still waiting for the drafter keep the case as their cause left it.
  ASSIGN_OR_RETURN(std::vector<eventstore::ProjectionWrite> notice_rows,
                   PinDueNotices(store_, event.stream_id(), found));
  if (!ApplyToCase(event, found)) return store_.ApplyConsumed(event.event_id(), {}, false);
  const eventstore::ProjectionWrite case_row{CaseKey(found->breach_id()),
                                             found->SerializeAsString()};

  ASSIGN_OR_RETURN(ClockMap clocks, ReadClocks(store_, found->breach_id()));
  const ClockPlan plan =
      PlanClocks(*found, clocks, engine_->regimes(), engine_->zone(), ClockCause(event));
  StreamChange change{found->breach_id(), found->tenant(), {}, {case_row}};
  RETURN_IF_ERROR(AddClockPlan(store_, found->tenant(), plan, clocks, change));
  // The processor's notice to the school is drafted by the IncidentDrafter, after the clocks.
  const std::optional<eventstore::ProjectionWrite> notice_due = NoticeDueRow(event, *found);
  if (notice_due.has_value()) notice_rows.push_back(*notice_due);
  change.rows.insert(change.rows.end(), notice_rows.begin(), notice_rows.end());
  if (change.empty()) {
    std::vector<eventstore::ProjectionWrite> rows = {case_row};
    rows.insert(rows.end(), notice_rows.begin(), notice_rows.end());
    ASSIGN_OR_RETURN(const bool applied, store_.ApplyConsumed(event.event_id(), rows, false));
    if (applied && notice_due.has_value() && on_drafts_due_) on_drafts_due_();
    return applied;
  }
  change.rows.push_back({ReactedKey(event.event_id()), ""});
  // Not fsynced one by one: the consumer makes a whole poll's reactions durable at once
  // (Hooks().make_durable) before its offsets move; a reaction a machine crash loses is redone
  // from the redelivered event (the "reacted" row went with it).
  eventstore::AppendRequest append =
      ToAppend(change, SystemPrincipal(), event.event_id(), clock_.Now());
  append.sync = false;
  append.consumed_event_id = event.event_id();  // marked in the same write
  ASSIGN_OR_RETURN(const eventstore::AppendResult appended, store_.Append(std::move(append)));
  if (on_append_) on_append_();
  if (on_timers_armed_ && !plan.armed.empty()) on_timers_armed_(EarliestTimer(plan));
  if (notice_due.has_value() && on_drafts_due_) on_drafts_due_();
  if (appended.duplicate) return store_.ApplyConsumed(event.event_id(), {}, false);
  return true;
}

absl::StatusOr<bool> CaseReactor::ApplySchool(const breach::v1::EventEnvelope& event) {
  breach::v1::SchoolImported imported;
  if (!event.payload().UnpackTo(&imported)) {
    return absl::DataLossError(absl::StrCat("event ", event.event_id(), " is unreadable"));
  }
  const std::string& code = imported.school().code();
  absl::MutexLock lock(&breach_locks_.For(SchoolKey(code)));
  ASSIGN_OR_RETURN(std::optional<breach::v1::SchoolProfile> current, FindSchool(store_, code));
  const breach::v1::SchoolProfile profile = ProfileFromDirectory(imported.school(), current);
  return store_.ApplyConsumed(event.event_id(), {{SchoolKey(code), profile.SerializeAsString()}},
                              false);
}

service::EventConsumer CaseReactor::Hooks() {
  return service::EventConsumer{
      [this](const breach::v1::EventEnvelope& event) { return Apply(event); },
      [this] { return store_.WriteProjection({}, /*sync=*/true); }};
}

}  // namespace breachd::notification
