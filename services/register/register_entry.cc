#include "services/register/register_entry.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
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
  }
  breach::v1::SeverityAssessed severity;
  if (payload.Is<breach::v1::SeverityAssessed>() && payload.UnpackTo(&severity)) {
    entry.set_severity_band(severity.severity().band());
    entry.set_severity_score(severity.severity().score());
  }
  breach::v1::BreachClassified classified;
  if (payload.Is<breach::v1::BreachClassified>() && payload.UnpackTo(&classified)) {
    entry.set_classification(classified.classification());
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

// What the notification service's events say was sent, received and missed, per duty.
void ApplyNotificationFacts(const google::protobuf::Any& payload, RegisterEntry& entry) {
  breach::v1::DutySubmitted submitted;
  if (payload.Is<breach::v1::DutySubmitted>() && payload.UnpackTo(&submitted)) {
    auto& record = RecordOf(submitted.duty(), entry);
    record.set_sent(true);
    *record.mutable_sent_at() = submitted.submitted_at();
    record.set_late(submitted.late());
    record.set_delay_reason(submitted.delay_reason());
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
  breach::v1::DeadlineMissed missed;
  if (payload.Is<breach::v1::DeadlineMissed>() && payload.UnpackTo(&missed)) {
    RecordOf(missed.duty(), entry).set_deadline_missed(true);
  }
}

// Folds one more event of the breach into its entry: its facts, then the status it leaves.
void FoldIn(const EventEnvelope& event, const absl::TimeZone& zone, RegisterEntry& entry) {
  if (entry.breach_id().empty()) {  // whichever event comes first: the envelope names them
    entry.set_breach_id(event.stream_id());
    entry.set_tenant(event.tenant());
    entry.set_name(absl::StrCat("tenants/", event.tenant(), "/breaches/", event.stream_id()));
  }
  const google::protobuf::Any& payload = event.payload();
  breach::v1::BreachReported reported;
  if (payload.Is<breach::v1::BreachReported>() && payload.UnpackTo(&reported)) {
    *entry.mutable_reported_at() = event.recorded_at();
    CopyReportFacts(reported.report(), zone, entry);
  }
  breach::v1::BreachTriaged triaged;
  if (payload.Is<breach::v1::BreachTriaged>() && payload.UnpackTo(&triaged)) {
    entry.set_verdict(triaged.verdict());
    entry.set_verdict_reason(triaged.reason());
    if (triaged.has_awareness()) {
      *entry.mutable_aware_at() = triaged.awareness().aware_at();
    } else {
      entry.clear_aware_at();
    }
  }
  breach::v1::ReportAmended amended;
  if (payload.Is<breach::v1::ReportAmended>() && payload.UnpackTo(&amended)) {
    breach::v1::BreachReport form = ReportFacts(entry);
    lifecycle::ApplyFieldChanges(amended.amendment(), form);
    CopyReportFacts(form, zone, entry);
    entry.set_amendments(entry.amendments() + 1);
  }
  if (payload.Is<breach::v1::ContainmentActionRecorded>()) {
    entry.set_containment_actions(entry.containment_actions() + 1);
  }
  ApplyAssessmentFacts(payload, entry);
  ApplyNotificationFacts(payload, entry);
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

bool RecordedBefore(const EventEnvelope& a, const EventEnvelope& b) {
  return std::make_pair(a.recorded_at().seconds(), a.recorded_at().nanos()) <
         std::make_pair(b.recorded_at().seconds(), b.recorded_at().nanos());
}

}  // namespace

bool ChangesEntry(const EventEnvelope& event) {
  return !event.payload().Is<breach::v1::BreachViewed>();
}

std::vector<const EventEnvelope*> FoldOrder(const std::vector<EventEnvelope>& events) {
  std::map<std::string, std::vector<const EventEnvelope*>> streams;  // by source, in name order
  for (const EventEnvelope& event : events) streams[event.source()].push_back(&event);
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

std::optional<RegisterEntry> FoldEntry(const std::vector<EventEnvelope>& events,
                                       const absl::TimeZone& zone) {
  const bool reported = std::any_of(events.begin(), events.end(), [](const EventEnvelope& event) {
    return event.payload().Is<breach::v1::BreachReported>();
  });
  if (!reported) return std::nullopt;
  RegisterEntry entry;
  for (const EventEnvelope* event : FoldOrder(events)) FoldIn(*event, zone, entry);
  return entry;
}

}  // namespace breachd::register_
