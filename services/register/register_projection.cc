#include "services/register/register_projection.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "breach/v1/events.pb.h"
#include "libs/common/proto_time.h"
#include "libs/lifecycle/breach_lifecycle.h"
#include "libs/service/event_factory.h"
#include "services/register/register_schema.h"

namespace breachd::register_ {
namespace {

using breach::v1::EventEnvelope;
using breach::v1::RegisterEntry;
using breach::v1::TimelineEntry;

}  // namespace

TimelineEntry ToTimelineEntry(const EventEnvelope& event) {
  TimelineEntry line;
  line.set_event_id(event.event_id());
  line.set_type(event.type());
  line.set_source(event.source());
  *line.mutable_actor() = event.actor();
  *line.mutable_occurred_at() = event.occurred_at();
  *line.mutable_recorded_at() = event.recorded_at();
  line.set_summary(Summarize(event));
  return line;
}

namespace {

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

RegisterEntry EntryFromReport(const EventEnvelope& event, const breach::v1::BreachReported& reported,
                              const absl::TimeZone& zone) {
  RegisterEntry entry;
  entry.set_breach_id(reported.breach_id());
  entry.set_tenant(event.tenant());
  entry.set_name(absl::StrCat("tenants/", event.tenant(), "/breaches/", reported.breach_id()));
  entry.set_status(breach::v1::BREACH_STATUS_REPORTED);
  *entry.mutable_reported_at() = event.recorded_at();
  CopyReportFacts(reported.report(), zone, entry);
  return entry;
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

// What a lifecycle event changes in the entry besides its status.
void ApplyLifecycleFacts(const EventEnvelope& event, const absl::TimeZone& zone,
                         RegisterEntry& entry) {
  const google::protobuf::Any& payload = event.payload();
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
  lifecycle::BreachState state;
  state.status = entry.status();
  state.verdict = entry.verdict();
  state.ever_assessed = entry.assessment_version() > 0;
  state = lifecycle::Apply(state, event);
  entry.set_status(state.status);
}

std::string VerdictText(breach::v1::TriageVerdict verdict) {
  switch (verdict) {
    case breach::v1::TRIAGE_VERDICT_BREACH: return "a breach";
    case breach::v1::TRIAGE_VERDICT_NOT_A_BREACH: return "not a breach";
    case breach::v1::TRIAGE_VERDICT_INVESTIGATING: return "under investigation";
    default: return "unjudged";
  }
}

std::string DutyText(const breach::v1::DutyDecision& decision) {
  return absl::StrCat(
      absl::AsciiStrToLower(breach::v1::DutyKind_Name(decision.duty()).substr(sizeof("DUTY_KIND_") - 1)),
      decision.required() ? " required" : " not required", " (", decision.regime(), ")");
}

// The timeline line of an assessment event, if it is one.
std::optional<std::string> SummarizeAssessment(const EventEnvelope& event) {
  const google::protobuf::Any& payload = event.payload();
  breach::v1::AssessmentSubmitted submitted;
  if (payload.Is<breach::v1::AssessmentSubmitted>() && payload.UnpackTo(&submitted)) {
    return absl::StrCat("Allegato B submitted by ", event.actor().subject(), " (version ",
                        submitted.version(), ")");
  }
  breach::v1::SeverityAssessed severity;
  if (payload.Is<breach::v1::SeverityAssessed>() && payload.UnpackTo(&severity)) {
    return absl::StrCat("Severity ", severity.severity().score(), " (",
                        absl::AsciiStrToLower(breach::v1::SeverityBand_Name(severity.severity().band())
                                                  .substr(sizeof("SEVERITY_BAND_") - 1)),
                        ")");
  }
  breach::v1::BreachClassified classified;
  if (payload.Is<breach::v1::BreachClassified>() && payload.UnpackTo(&classified)) {
    return absl::StrCat("Classified ", classified.classification(), " (", classified.regime(), ")");
  }
  breach::v1::DutyDecided decided;
  if (payload.Is<breach::v1::DutyDecided>() && payload.UnpackTo(&decided)) {
    return absl::StrCat("Engine decided: ", DutyText(decided.decision()));
  }
  if (payload.Is<breach::v1::DutiesDecided>()) {
    return absl::StrCat("Duties decided by ", event.actor().subject());
  }
  if (payload.Is<breach::v1::BreachClosed>()) {
    return absl::StrCat("Closed by ", event.actor().subject());
  }
  if (payload.Is<breach::v1::BreachReopened>()) {
    return absl::StrCat("Reopened by ", event.actor().subject());
  }
  breach::v1::DutyOverridden overridden;
  if (payload.Is<breach::v1::DutyOverridden>() && payload.UnpackTo(&overridden)) {
    return absl::StrCat("Overridden by ", event.actor().subject(), ": ",
                        DutyText(overridden.decision()), "; the engine said ",
                        overridden.decision().computed_required() ? "required" : "not required");
  }
  return std::nullopt;
}

std::string TimeText(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", TimeFromProto(ts), absl::UTCTimeZone());
}

}  // namespace

std::string BreachIdOf(const EventEnvelope& event) {
  // Breach streams are keyed by the breach id (a ULID); audit streams are "audit-<tenant>".
  if (event.stream_id().rfind("audit-", 0) == 0) return "";
  return event.stream_id();
}

std::string Summarize(const EventEnvelope& event) {
  const std::string type = service::ShortType(event.type());
  if (event.payload().Is<breach::v1::BreachReported>()) {
    breach::v1::BreachReported reported;
    if (event.payload().UnpackTo(&reported)) {
      return absl::StrCat("Allegato A filed: about ", reported.report().approx_data_subjects(),
                          " data subjects, ", reported.report().databases_size(), " database(s)");
    }
  }
  if (event.payload().Is<breach::v1::BreachViewed>()) {
    breach::v1::BreachViewed viewed;
    if (event.payload().UnpackTo(&viewed)) {
      return absl::StrCat(event.actor().subject(), " read the ", viewed.view());
    }
  }
  breach::v1::BreachTriaged triaged;
  if (event.payload().Is<breach::v1::BreachTriaged>() && event.payload().UnpackTo(&triaged)) {
    std::string line = absl::StrCat("Triaged by ", event.actor().subject(), " as ",
                                    VerdictText(triaged.verdict()));
    if (triaged.has_awareness()) {
      absl::StrAppend(&line, ", aware at ", TimeText(triaged.awareness().aware_at()));
    }
    if (triaged.has_previous_awareness()) {
      absl::StrAppend(&line, " (corrects ", TimeText(triaged.previous_awareness().aware_at()), ")");
    }
    return line;
  }
  breach::v1::ReportAmended amended;
  if (event.payload().Is<breach::v1::ReportAmended>() && event.payload().UnpackTo(&amended)) {
    std::vector<std::string> fields;
    for (const auto& change : amended.amendment().changes()) fields.push_back(change.field());
    return absl::StrCat("Report amended by ", event.actor().subject(), ": ",
                        absl::StrJoin(fields, ", "));
  }
  breach::v1::ContainmentActionRecorded recorded;
  if (event.payload().Is<breach::v1::ContainmentActionRecorded>() &&
      event.payload().UnpackTo(&recorded)) {
    return absl::StrCat(
        "Containment action recorded by ", event.actor().subject(), " (",
        absl::AsciiStrToLower(breach::v1::ActionStatus_Name(recorded.action().status())
                                  .substr(sizeof("ACTION_STATUS_") - 1)),
        ")");
  }
  return SummarizeAssessment(event).value_or(absl::StrCat(type, " by ", event.actor().subject()));
}

absl::StatusOr<std::vector<eventstore::ProjectionWrite>> Project(
    const EventEnvelope& event, const std::optional<RegisterEntry>& entry,
    const absl::TimeZone& zone) {
  const std::string breach_id = BreachIdOf(event);
  if (breach_id.empty()) return std::vector<eventstore::ProjectionWrite>{};
  if (event.tenant().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), " has no tenant"));
  }
  std::vector<eventstore::ProjectionWrite> writes;
  writes.push_back({TimelineKey(breach_id, event.recorded_at(), event.event_id()),
                    ToTimelineEntry(event).SerializeAsString()});

  std::optional<RegisterEntry> updated = entry;
  if (event.payload().Is<breach::v1::BreachReported>()) {
    breach::v1::BreachReported reported;
    if (!event.payload().UnpackTo(&reported)) {
      return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(),
                                                     " has an unreadable BreachReported payload"));
    }
    RegisterEntry fresh = EntryFromReport(event, reported, zone);
    if (updated.has_value()) fresh.set_events(updated->events());
    updated = std::move(fresh);
    writes.push_back({BreachTenantKey(breach_id), event.tenant()});
  }
  if (updated.has_value() && !event.payload().Is<breach::v1::BreachViewed>()) {
    // Views are history, not a change of the entry.
    ApplyLifecycleFacts(event, zone, *updated);
    updated->set_events(updated->events() + 1);
    *updated->mutable_updated_at() = event.recorded_at();
    writes.push_back({EntryKey(updated->tenant(), breach_id), updated->SerializeAsString()});
  }
  return writes;
}

}  // namespace breachd::register_
