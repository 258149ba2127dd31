#include "services/register/register_entry.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "libs/common/proto_time.h"
#include "libs/lifecycle/breach_lifecycle.h"

namespace breachd::register_ {
namespace {

using breach::v1::EventEnvelope;
using breach::v1::RegisterEntry;

// The entry's copy of the report's facts (its own fields stay as they are).
void CopyReportFacts(const breach::v1::BreachReport& form, const absl::TimeZone& zone,
                     RegisterEntry& entry) {
  *entry.mutable_discovered_at() = form.discovered_at();
  if (form.has_incident_at()) {
    *entry.mutable_incident_at() = form.incident_at();
  } else {
    entry.clear_incident_at();
  }
  entry.set_place(form.place());
  entry.set_description(form.description());
  *entry.mutable_data_subject_categories() = form.data_subject_categories();
  entry.set_approx_data_subjects(form.approx_data_subjects());
  entry.set_device_lost(form.device_lost());
  *entry.mutable_databases() = form.databases();
  entry.set_actions_taken(form.actions_taken());
  entry.set_department_head(form.department_head());
  entry.set_reporter_role(form.reporter_role());
  entry.set_year(static_cast<int32_t>(
      absl::ToCivilYear(TimeFromProto(form.discovered_at()), zone).year()));
}

// The facts of the entry as a report, for an amendment to change.
breach::v1::BreachReport ReportFacts(const RegisterEntry& entry) {
  breach::v1::BreachReport form;
  *form.mutable_discovered_at() = entry.discovered_at();
  if (entry.has_incident_at()) *form.mutable_incident_at() = entry.incident_at();
  form.set_place(entry.place());
  form.set_description(entry.description());
  *form.mutable_data_subject_categories() = entry.data_subject_categories();
  form.set_approx_data_subjects(entry.approx_data_subjects());
  form.set_device_lost(entry.device_lost());
  *form.mutable_databases() = entry.databases();
  form.set_actions_taken(entry.actions_taken());
  form.set_department_head(entry.department_head());
  form.set_reporter_role(entry.reporter_role());
  return form;
}

// Puts `decision` in the entry's duties, replacing the one on the same duty.
void SetDuty(const breach::v1::DutyDecision& decision, RegisterEntry& entry) {
  for (breach::v1::DutyDecision& duty : *entry.mutable_duties()) {
    if (duty.duty() == decision.duty()) {
      duty = decision;
      return;
    }
  }
  *entry.add_duties() = decision;
}

// What the assessment's events say of the latest version: severity, classification, duties.
void ApplyAssessmentFacts(const google::protobuf::Any& payload, RegisterEntry& entry) {
  breach::v1::AssessmentSubmitted submitted;
  if (payload.Is<breach::v1::AssessmentSubmitted>() && payload.UnpackTo(&submitted)) {
    entry.set_assessment_version(submitted.version());
    entry.clear_duties();  // a new version decides every duty anew
    *entry.mutable_regimes() = submitted.regimes();
    entry.clear_classification_reasons();
    entry.clear_classification_regime();
  }
  breach::v1::SeverityAssessed severity;
  if (payload.Is<breach::v1::SeverityAssessed>() && payload.UnpackTo(&severity)) {
    entry.set_severity_band(severity.severity().band());
    entry.set_severity_score(severity.severity().score());
  }
  breach::v1::BreachClassified classified;
  if (payload.Is<breach::v1::BreachClassified>() && payload.UnpackTo(&classified)) {
    entry.set_classification(classified.classification());
    *entry.mutable_classification_reasons() = classified.reasons();
    entry.set_classification_regime(classified.regime());
  }
  breach::v1::DutyDecided decided;
  if (payload.Is<breach::v1::DutyDecided>() && payload.UnpackTo(&decided)) {
    SetDuty(decided.decision(), entry);
  }
  breach::v1::DutyOverridden overridden;
  if (payload.Is<breach::v1::DutyOverridden>() && payload.UnpackTo(&overridden)) {
    SetDuty(overridden.decision(), entry);
  }
}

breach::v1::NotificationRecord& RecordOf(breach::v1::DutyKind duty, RegisterEntry& entry) {
  for (auto& record : *entry.mutable_notifications()) {
    if (record.duty() == duty) return record;
  }
  breach::v1::NotificationRecord& record = *entry.add_notifications();
  record.set_duty(duty);
  return record;
}

// What a fold remembers beyond the entry: the phase of every draft, by duty and version, for
// the dispatch that names only the version.
struct FoldState {
  std::map<std::pair<int, uint32_t>, breach::v1::NotificationPhase> draft_phases;
};

void AddChannel(breach::v1::Channel channel, breach::v1::NotificationRecord& record) {
  for (int existing : record.channels()) {
    if (existing == channel) return;
  }
  record.add_channels(channel);
}

// The clocks: which runs, until when, and whether its due time was missed.
void ApplyClockFacts(const google::protobuf::Any& payload, RegisterEntry& entry) {
  breach::v1::ClockArmed armed;
  if (payload.Is<breach::v1::ClockArmed>() && payload.UnpackTo(&armed)) {
    auto& record = RecordOf(armed.deadline().duty(), entry);
    record.set_clock_running(true);
    *record.mutable_due_at() = armed.deadline().due_at();
    record.set_missed_while_running(false);
  }
  breach::v1::ClockDisarmed disarmed;
  if (payload.Is<breach::v1::ClockDisarmed>() && payload.UnpackTo(&disarmed)) {
    RecordOf(disarmed.duty(), entry).set_clock_running(false);
  }
  breach::v1::DeadlineMissed missed;
  if (payload.Is<breach::v1::DeadlineMissed>() && payload.UnpackTo(&missed)) {
    auto& record = RecordOf(missed.duty(), entry);
    record.set_deadline_missed(true);
    record.set_missed_while_running(record.clock_running());
  }
}

// What the notification service's events say was sent, received and missed, per duty.
void ApplyNotificationFacts(const google::protobuf::Any& payload, FoldState& state,
                            RegisterEntry& entry) {
  ApplyClockFacts(payload, entry);
  breach::v1::DraftPrepared prepared;
  if (payload.Is<breach::v1::DraftPrepared>() && payload.UnpackTo(&prepared)) {
    state.draft_phases[{prepared.draft().duty(), prepared.draft().draft_version()}] =
        prepared.draft().phase();
  }
  breach::v1::DispatchQueued queued;
  if (payload.Is<breach::v1::DispatchQueued>() && payload.UnpackTo(&queued)) {
    auto& record = RecordOf(queued.duty(), entry);
    const auto phase = state.draft_phases.find({queued.duty(), queued.draft_version()});
    if (phase != state.draft_phases.end()) record.set_phase(phase->second);
    for (const auto& delivery : queued.deliveries()) AddChannel(delivery.channel(), record);
  }
  breach::v1::DutySubmitted submitted;
  if (payload.Is<breach::v1::DutySubmitted>() && payload.UnpackTo(&submitted)) {
    auto& record = RecordOf(submitted.duty(), entry);
    record.set_sent(true);
    *record.mutable_sent_at() = submitted.submitted_at();
    record.set_late(submitted.late());
    record.set_delay_reason(submitted.delay_reason());
    record.set_clock_running(false);
  }
  breach::v1::DeliverySent sent;
  if (payload.Is<breach::v1::DeliverySent>() && payload.UnpackTo(&sent)) {
    auto& record = RecordOf(sent.duty(), entry);
    record.set_delivered(record.delivered() + 1);
  }
  breach::v1::DeliveryFailed failed;
  if (payload.Is<breach::v1::DeliveryFailed>() && payload.UnpackTo(&failed) && failed.final()) {
    auto& record = RecordOf(failed.duty(), entry);
    record.set_failed(record.failed() + 1);
  }
  breach::v1::ReceiptRecorded receipt;
  if (payload.Is<breach::v1::ReceiptRecorded>() && payload.UnpackTo(&receipt)) {
    auto& record = RecordOf(receipt.receipt().duty(), entry);
    if (!receipt.receipt().protocol_number().empty()) {
      record.set_protocol_number(receipt.receipt().protocol_number());
    }
    *record.mutable_receipt_at() = receipt.receipt().received_at();
  }
  breach::v1::DeadlineWarning warning;
  if (payload.Is<breach::v1::DeadlineWarning>() && payload.UnpackTo(&warning)) {
    auto& record = RecordOf(warning.duty(), entry);
    record.set_deadline_warnings(record.deadline_warnings() + 1);
  }
}

// Folds one more event of the breach into its entry: its facts, then the status it leaves.
void FoldIn(const EventEnvelope& event, const absl::TimeZone& zone, FoldState& fold,
            RegisterEntry& entry) {
  if (entry.breach_id().empty()) {  // whichever event comes first: the envelope names them
    entry.set_breach_id(event.stream_id());
    entry.set_tenant(event.tenant());
    entry.set_name(absl::StrCat("tenants/", event.tenant(), "/breaches/", event.stream_id()));
  }
  const google::protobuf::Any& payload = event.payload();
  breach::v1::BreachReported reported;
  if (payload.Is<breach::v1::BreachReported>() && payload.UnpackTo(&reported)) {
    *entry.mutable_reported_at() = event.recorded_at();
    *entry.mutable_reported_by() = event.actor();
    CopyReportFacts(reported.report(), zone, entry);
  }
  breach::v1::BreachTriaged triaged;
  if (payload.Is<breach::v1::BreachTriaged>() && payload.UnpackTo(&triaged)) {
    entry.set_verdict(triaged.verdict());
    entry.set_verdict_reason(triaged.reason());
    if (triaged.has_awareness()) {
      *entry.mutable_aware_at() = triaged.awareness().aware_at();
      entry.set_awareness_evidence(triaged.awareness().evidence());
      *entry.mutable_aware_decided_by() = triaged.awareness().decided_by();
    } else {
      entry.clear_aware_at();
      entry.clear_awareness_evidence();
      entry.clear_aware_decided_by();
    }
  }
  breach::v1::ReportAmended amended;
  if (payload.Is<breach::v1::ReportAmended>() && payload.UnpackTo(&amended)) {
    breach::v1::BreachReport form = ReportFacts(entry);
    lifecycle::ApplyFieldChanges(amended.amendment(), form);
    CopyReportFacts(form, zone, entry);
    entry.set_amendments(entry.amendments() + 1);
  }
  breach::v1::ContainmentActionRecorded action;
  if (payload.Is<breach::v1::ContainmentActionRecorded>() && payload.UnpackTo(&action)) {
    entry.set_containment_actions(entry.containment_actions() + 1);
    *entry.add_measures() = action.action();
  }
  ApplyAssessmentFacts(payload, entry);
  ApplyNotificationFacts(payload, fold, entry);
  lifecycle::BreachState state;
  state.status = entry.status();
  state.verdict = entry.verdict();
  state.ever_assessed = entry.assessment_version() > 0;
  // A transition the state machine refuses (a service decided before it heard of the other's
  // earlier step, docs/lifecycle.md) leaves the status, as in every service's projection.
  state = lifecycle::Apply(state, event);
  entry.set_status(state.status);
  entry.set_events(entry.events() + 1);
  *entry.mutable_updated_at() = event.recorded_at();
}

bool Earlier(const google::protobuf::Timestamp& a, const google::protobuf::Timestamp& b) {
  return std::make_pair(a.seconds(), a.nanos()) < std::make_pair(b.seconds(), b.nanos());
}

// The duty's decision in the entry, if it was decided.
const breach::v1::DutyDecision* DecisionOf(breach::v1::DutyKind duty, const RegisterEntry& entry) {
  for (const auto& decision : entry.duties()) {
    if (decision.duty() == duty) return &decision;
  }
  return nullptr;
}

// Adds what `record` says was sent to a communication column.
void AddSent(const breach::v1::NotificationRecord& record, breach::v1::Communication& column) {
  if (!record.sent()) return;
  if (!column.done() || Earlier(record.sent_at(), column.at())) *column.mutable_at() = record.sent_at();
  column.set_done(true);
  if (!record.protocol_number().empty()) column.set_protocol_number(record.protocol_number());
  column.set_phase(record.phase());
  for (int channel : record.channels()) {
    if (std::find(column.channels().begin(), column.channels().end(), channel) ==
        column.channels().end()) {
      column.add_channels(static_cast<breach::v1::Channel>(channel));
    }
  }
}

// The Registro's columns derived from the duties and what was sent: notified to the Garante,
// communicated to the data subjects, to others; and the earliest running due time.
void DeriveColumns(RegisterEntry& entry) {
  entry.clear_authority();
  entry.clear_data_subjects();
  entry.clear_others();
  entry.clear_next_due_at();
  std::vector<std::string> others;
  for (breach::v1::DutyKind duty :
       {breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION,
        breach::v1::DUTY_KIND_CONTROLLER_NOTICE, breach::v1::DUTY_KIND_CSIRT_EARLY_WARNING,
        breach::v1::DUTY_KIND_CSIRT_NOTIFICATION, breach::v1::DUTY_KIND_CSIRT_FINAL_REPORT}) {
    breach::v1::Communication& column =
        duty == breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION ? *entry.mutable_authority()
        : duty == breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION ? *entry.mutable_data_subjects()
                                                              : *entry.mutable_others();
    const breach::v1::DutyDecision* decision = DecisionOf(duty, entry);
    if (decision != nullptr && decision->required()) column.set_required(true);
    for (const auto& record : entry.notifications()) {
      if (record.duty() != duty) continue;
      if (&column == entry.mutable_others() && record.sent()) others.push_back(DutyWord(duty));
      AddSent(record, column);
    }
  }
  entry.mutable_others()->set_details(absl::StrJoin(others, ", "));
  for (const auto& record : entry.notifications()) {
    if (record.clock_running() &&
        (!entry.has_next_due_at() || Earlier(record.due_at(), entry.next_due_at()))) {
      *entry.mutable_next_due_at() = record.due_at();
    }
  }
}

std::vector<const EventEnvelope*> Pointers(const std::vector<EventEnvelope>& events) {
  std::vector<const EventEnvelope*> pointers;
  pointers.reserve(events.size());
  for (const EventEnvelope& event : events) pointers.push_back(&event);
  return pointers;
}

bool RecordedBefore(const EventEnvelope& a, const EventEnvelope& b) {
  return std::make_pair(a.recorded_at().seconds(), a.recorded_at().nanos()) <
         std::make_pair(b.recorded_at().seconds(), b.recorded_at().nanos());
}

}  // namespace

bool ChangesEntry(const EventEnvelope& event) {
  return !event.payload().Is<breach::v1::BreachViewed>();
}

std::vector<const EventEnvelope*> FoldOrder(const std::vector<const EventEnvelope*>& events) {
  std::map<std::string, std::vector<const EventEnvelope*>> streams;  // by source, in name order
  for (const EventEnvelope* event : events) streams[event->source()].push_back(event);
  for (auto& [source, stream] : streams) {
    std::stable_sort(stream.begin(), stream.end(), [](const auto* a, const auto* b) {
      return a->stream_version() < b->stream_version();
    });
  }
  std::vector<const EventEnvelope*> order;
  order.reserve(events.size());
  std::map<std::string, size_t> taken;  // per source, how many of its events are in `order`
  while (order.size() < events.size()) {
    const EventEnvelope* earliest = nullptr;
    for (const auto& [source, stream] : streams) {
      const size_t at = taken[source];
      // Strictly before: at the same instant the source first in name order goes first.
      if (at < stream.size() && (earliest == nullptr || RecordedBefore(*stream[at], *earliest))) {
        earliest = stream[at];
      }
    }
    order.push_back(earliest);
    ++taken[earliest->source()];
  }
  return order;
}

std::vector<const EventEnvelope*> FoldOrder(const std::vector<EventEnvelope>& events) {
  return FoldOrder(Pointers(events));
}

std::optional<RegisterEntry> FoldEntry(const std::vector<const EventEnvelope*>& events,
                                       const absl::TimeZone& zone) {
  const bool reported = std::any_of(events.begin(), events.end(), [](const EventEnvelope* event) {
    return event->payload().Is<breach::v1::BreachReported>();
  });
  if (!reported) return std::nullopt;
  RegisterEntry entry;
  FoldState fold;
  for (const EventEnvelope* event : FoldOrder(events)) FoldIn(*event, zone, fold, entry);
  DeriveColumns(entry);
  return entry;
}

std::optional<RegisterEntry> FoldEntry(const std::vector<EventEnvelope>& events,
                                       const absl::TimeZone& zone) {
  return FoldEntry(Pointers(events), zone);
}

namespace {

// Moves `heads` past `event`.
void AddToHeads(const EventEnvelope& event, breach::v1::RegisterFoldHeads& heads) {
  heads.set_events(heads.events() + 1);
  for (auto& head : *heads.mutable_heads()) {
    if (head.source() != event.source()) continue;
    head.set_version(std::max(head.version(), event.stream_version()));
    if (Earlier(head.latest(), event.recorded_at())) *head.mutable_latest() = event.recorded_at();
    return;
  }
  auto& head = *heads.add_heads();
  head.set_source(event.source());
  head.set_version(event.stream_version());
  *head.mutable_latest() = event.recorded_at();
}

}  // namespace

breach::v1::RegisterFoldHeads FoldHeadsOf(const std::vector<EventEnvelope>& events) {
  breach::v1::RegisterFoldHeads heads;
  for (const EventEnvelope& event : events) AddToHeads(event, heads);
  return heads;
}

bool FoldsLast(const breach::v1::RegisterFoldHeads& heads, const EventEnvelope& event) {
  for (const auto& head : heads.heads()) {
    if (head.source() == event.source()) {
      if (head.version() >= event.stream_version()) return false;  // not later in its stream
      continue;
    }
    // Another source's event at the same instant goes first only if its source's name does.
    if (Earlier(event.recorded_at(), head.latest())) return false;
    if (!Earlier(head.latest(), event.recorded_at()) && head.source() > event.source()) {
      return false;
    }
  }
  return true;
}

std::optional<RegisterEntry> FoldOnto(RegisterEntry entry, const EventEnvelope& event,
                                      const absl::TimeZone& zone,
                                      breach::v1::RegisterFoldHeads& heads) {
  if (event.payload().Is<breach::v1::DispatchQueued>()) return std::nullopt;
  // FoldIn reads nothing DeriveColumns writes: the columns are derived again after it.
  FoldState fold;
  FoldIn(event, zone, fold, entry);
  DeriveColumns(entry);
  AddToHeads(event, heads);
  return entry;
}

std::string DutyWord(breach::v1::DutyKind duty) {
  return absl::AsciiStrToLower(breach::v1::DutyKind_Name(duty).substr(sizeof("DUTY_KIND_") - 1));
}

bool IsOverdue(const RegisterEntry& entry, absl::Time now) {
  return std::any_of(entry.notifications().begin(), entry.notifications().end(),
                     [&](const breach::v1::NotificationRecord& record) {
                       return record.clock_running() && !record.sent() &&
                              (record.missed_while_running() ||
                               (record.has_due_at() && TimeFromProto(record.due_at()) <= now));
                     });
}

}  // namespace breachd::register_
