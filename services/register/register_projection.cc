#include "services/register/register_projection.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "breach/v1/access.pb.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/service/event_factory.h"
#include "services/register/register_entry.h"
#include "services/register/register_schema.h"

namespace breachd::register_ {
namespace {

using breach::v1::EventEnvelope;
using breach::v1::RegisterEntry;
using breach::v1::TimelineEntry;

}  // namespace

TimelineEntry ToTimelineEntry(const EventEnvelope& event) {
  TimelineEntry line;
  FillTimelineEntry(event, line);
  return line;
}

void FillTimelineEntry(const EventEnvelope& event, TimelineEntry& line) {
  line.Clear();
  line.set_event_id(event.event_id());
  line.set_type(event.type());
  line.set_source(event.source());
  *line.mutable_actor() = event.actor();
  *line.mutable_occurred_at() = event.occurred_at();
  *line.mutable_recorded_at() = event.recorded_at();
  line.set_summary(Summarize(event));
}

namespace {

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


// The timeline line of a notification event that says more than its type, if it is one.
std::optional<std::string> SummarizeNotification(const EventEnvelope& event) {
  const google::protobuf::Any& payload = event.payload();
  breach::v1::ClockArmed armed;
  if (payload.Is<breach::v1::ClockArmed>() && payload.UnpackTo(&armed)) {
    return absl::StrCat("Clock armed: ", DutyWord(armed.deadline().duty()), " due ",
                        armed.deadline().due_at_local(), " (", armed.cause(), ")");
  }
  breach::v1::DeadlineWarning warning;
  if (payload.Is<breach::v1::DeadlineWarning>() && payload.UnpackTo(&warning)) {
    return absl::StrCat("Deadline warning: ", DutyWord(warning.duty()), " at ",
                        static_cast<int>(warning.fraction() * 100 + 0.5), " % of its window, due ",
                        warning.due_at_local());
  }
  breach::v1::DeadlineMissed missed;
  if (payload.Is<breach::v1::DeadlineMissed>() && payload.UnpackTo(&missed)) {
    return absl::StrCat("Deadline missed: ", DutyWord(missed.duty()), " was due ",
                        missed.due_at_local());
  }
  breach::v1::DraftApproved approved;
  if (payload.Is<breach::v1::DraftApproved>() && payload.UnpackTo(&approved)) {
    return absl::StrCat("Draft approved by ", event.actor().subject(), ": ",
                        DutyWord(approved.duty()), " v", approved.draft_version(), " (sha256 ",
                        approved.sha256().substr(0, 12), ")");
  }
  breach::v1::DutySubmitted submitted;
  if (payload.Is<breach::v1::DutySubmitted>() && payload.UnpackTo(&submitted)) {
    // The reason for a delay is sealed in the event: the entry's record carries it, opened.
    return absl::StrCat(DutyWord(submitted.duty()), " submitted",
                        submitted.late() ? " late" : " in time");
  }
  breach::v1::ReceiptRecorded receipt;
  if (payload.Is<breach::v1::ReceiptRecorded>() && payload.UnpackTo(&receipt)) {
    return absl::StrCat("Receipt for ", DutyWord(receipt.receipt().duty()),
                        receipt.receipt().protocol_number().empty()
                            ? std::string()
                            : ", protocol " + receipt.receipt().protocol_number(),
                        ", recorded by ", event.actor().subject());
  }
  return std::nullopt;
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

// The timeline line of the provider's access to the school's personal data: the school sees
// every grant, revocation and break-glass (the reason stays in the event).
std::optional<std::string> SummarizeAccess(const EventEnvelope& event) {
  const google::protobuf::Any& payload = event.payload();
  breach::v1::BreakGlassOpened opened;
  if (payload.Is<breach::v1::BreakGlassOpened>() && payload.UnpackTo(&opened)) {
    return absl::StrCat("Break-glass: ", event.actor().subject(),
                        " (provider) may read the personal data until ",
                        TimeText(opened.expires_at()));
  }
  if (payload.Is<breach::v1::ProviderAccessGranted>()) {
    return absl::StrCat("Provider access to the personal data granted by ",
                        event.actor().subject());
  }
  if (payload.Is<breach::v1::ProviderAccessRevoked>()) {
    return absl::StrCat("Provider access to the personal data revoked by ",
                        event.actor().subject());
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> UnpartitionedStreamPrefixes() { return {"audit-", "school-", "incident-"}; }

std::string BreachIdOf(const EventEnvelope& event) {
  for (const std::string& prefix : UnpartitionedStreamPrefixes()) {
    if (event.stream_id().starts_with(prefix)) return "";
  }
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
      // The reader is sealed with the month's key: the entry's actor, opened when answered.
      return absl::StrCat("Read the ", viewed.view());
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
  if (auto line = SummarizeAssessment(event)) return *line;
  if (auto line = SummarizeAccess(event)) return *line;
  return SummarizeNotification(event).value_or(absl::StrCat(type, " by ", event.actor().subject()));
}

namespace {

// The rows of `event` (of breach `breach_id`) before its entry: its timeline line and, for an
// event the entry is folded from, its history row. INVALID_ARGUMENT for an event no entry can
// take.
absl::StatusOr<std::vector<eventstore::ProjectionWrite>> EventRows(const EventEnvelope& event,
                                                                   const std::string& breach_id) {
  if (event.tenant().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), " has no tenant"));
  }
  breach::v1::BreachReported reported;
  if (event.payload().Is<breach::v1::BreachReported>() && !event.payload().UnpackTo(&reported)) {
    return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(),
                                                   " has an unreadable BreachReported payload"));
  }
  std::vector<eventstore::ProjectionWrite> writes;
  writes.push_back({TimelineKey(breach_id, event), ToTimelineEntry(event).SerializeAsString()});
  if (ChangesEntry(event)) {
    writes.push_back({HistoryKey(breach_id, event), event.SerializeAsString()});
  }
  return writes;
}

void AddEntryRows(const RegisterEntry& entry, const breach::v1::RegisterFoldHeads& heads,
                  std::vector<eventstore::ProjectionWrite>& writes) {
  writes.push_back({FoldHeadsKey(entry.breach_id()), heads.SerializeAsString()});
  writes.push_back({BreachTenantKey(entry.breach_id()), entry.tenant()});
  writes.push_back({EntryKey(entry.tenant(), entry.breach_id()), entry.SerializeAsString()});
}

}  // namespace

absl::StatusOr<std::optional<std::vector<eventstore::ProjectionWrite>>> ProjectOnto(
    const EventEnvelope& event, RegisterEntry entry, breach::v1::RegisterFoldHeads heads,
    const absl::TimeZone& zone) {
  const std::string breach_id = BreachIdOf(event);
  if (breach_id.empty() || !ChangesEntry(event) || entry.events() != heads.events() ||
      !FoldsLast(heads, event)) {
    return std::nullopt;
  }
  ASSIGN_OR_RETURN(std::vector<eventstore::ProjectionWrite> writes, EventRows(event, breach_id));
  std::optional<RegisterEntry> folded = FoldOnto(std::move(entry), event, zone, heads);
  if (!folded.has_value()) return std::nullopt;
  AddEntryRows(*folded, heads, writes);
  return writes;
}

absl::StatusOr<std::vector<eventstore::ProjectionWrite>> Project(
    const EventEnvelope& event, std::vector<EventEnvelope> history, const absl::TimeZone& zone) {
  const std::string breach_id = BreachIdOf(event);
  if (breach_id.empty()) return std::vector<eventstore::ProjectionWrite>{};
  ASSIGN_OR_RETURN(std::vector<eventstore::ProjectionWrite> writes, EventRows(event, breach_id));
  if (!ChangesEntry(event)) return writes;
  const bool known = std::any_of(history.begin(), history.end(), [&](const EventEnvelope& earlier) {
    return earlier.event_id() == event.event_id();
  });
  if (!known) history.push_back(event);
  // The whole history again, not the entry as it stands plus this event: that is what makes the
  // entry independent of the order the sources' events arrive in.
  std::optional<RegisterEntry> entry = FoldEntry(history, zone);
  if (entry.has_value()) AddEntryRows(*entry, FoldHeadsOf(history), writes);
  return writes;
}

std::vector<breach::v1::StreamHead> StreamHeads(const std::vector<breach::v1::EventEnvelope>& events) {
  std::map<std::string, std::vector<const breach::v1::EventEnvelope*>> by_source;
  for (const auto& event : events) by_source[event.source()].push_back(&event);
  std::vector<breach::v1::StreamHead> heads;
  for (auto& [source, stream] : by_source) {
    std::sort(stream.begin(), stream.end(),
              [](const auto* a, const auto* b) { return a->stream_version() < b->stream_version(); });
    breach::v1::StreamHead& head = heads.emplace_back();
    head.set_source(source);
    head.set_stream_id(stream.back()->stream_id());
    head.set_version(stream.back()->stream_version());
    head.set_hash(stream.back()->hash());
    uint64_t expected = 1;
    for (const auto* event : stream) {
      for (; expected < event->stream_version(); ++expected) head.add_missing_versions(expected);
      expected = event->stream_version() + 1;
    }
  }
  return heads;
}


}  // namespace breachd::register_
