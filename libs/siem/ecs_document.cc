#include "libs/siem/ecs_document.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "breach/v1/access.pb.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "libs/common/status_macros.h"
#include "libs/service/event_factory.h"
#include "libs/siem/json_text.h"

namespace breachd::siem {
namespace {

using breach::v1::EventEnvelope;
namespace v1 = breach::v1;

// "BreachReported" -> "breach-reported": ECS event.action is a lowercase keyword.
std::string ActionOf(const std::string& type) {
  const std::string short_type = service::ShortType(type);
  std::string action;
  for (char c : short_type) {
    if (absl::ascii_isupper(c) && !action.empty()) action.push_back('-');
    action.push_back(absl::ascii_tolower(c));
  }
  return action;
}

// An enum value's name without its type prefix, lowercase: DUTY_KIND_AUTHORITY_NOTIFICATION
// with prefix "DUTY_KIND_" is "authority_notification"; "" for the unspecified value.
std::string Code(const std::string& name, absl::string_view prefix) {
  std::string code = absl::AsciiStrToLower(
      absl::StartsWith(name, prefix) ? name.substr(prefix.size()) : name);
  return code == "unspecified" ? "" : code;
}
// The code of an enum value, from a table built once per enum (no lock on the hot path).
template <typename Enum>
const std::string& CodeOf(int value, absl::string_view prefix) {
  static const auto* codes = [prefix] {
    auto* built = new absl::flat_hash_map<int, std::string>();
    const google::protobuf::EnumDescriptor* descriptor = google::protobuf::GetEnumDescriptor<Enum>();
    for (int i = 0; i < descriptor->value_count(); ++i) {
      built->try_emplace(descriptor->value(i)->number(),
                         Code(std::string(descriptor->value(i)->name()), prefix));
    }
    return built;
  }();
  static const std::string kNoCode;  // a value the enum does not name
  const auto found = codes->find(value);
  return found == codes->end() ? kNoCode : found->second;
}
const std::string& DutyCode(int duty) {
  return CodeOf<v1::DutyKind>(duty, "DUTY_KIND_");
}

// Each payload's own `breach.*` members: codes, counts, statuses, ids and times only. Nested
// objects list their keys in sorted order (JsonObject's contract).
using Breach = JsonMembers;

void DutyKind(Breach& breach, int duty) { JsonObject(breach.Add("duty")).Str("kind", DutyCode(duty)); }
void AssessmentVersion(Breach& breach, uint32_t version) {
  JsonObject(breach.Add("assessment")).Int("version", version);
}

void DutyDecisionFields(std::string& out, const v1::DutyDecision& decision) {
  JsonObject(out)
      .Bool("computed_required", decision.computed_required())
      .Str("kind", DutyCode(decision.duty()))
      .Str("legal_basis", decision.legal_basis())
      .Bool("overridden", decision.has_human_override())
      .Str("regime", decision.regime())
      .Bool("required", decision.required());
}

void DeliveryFields(Breach& breach, const std::string& delivery_id, uint32_t attempt,
                    const char* status, const google::protobuf::Timestamp* next_attempt_at = nullptr) {
  JsonObject delivery(breach.Add("delivery"));
  delivery.Int("attempt", attempt).Str("id", delivery_id);
  if (next_attempt_at != nullptr) delivery.Time("next_attempt_at", *next_attempt_at);
  delivery.Str("status", status);
}

// intake
void Reported(const v1::BreachReported& reported, Breach& breach) {
  const v1::BreachReport& form = reported.report();
  breach.Add("status") += "\"reported\"";
  JsonObject report(breach.Add("report"));
  report.Int("approx_data_subjects", form.approx_data_subjects());
  std::string& categories = report.Key("data_subject_categories");
  categories.push_back('[');
  for (int i = 0; i < form.data_subject_categories_size(); ++i) {
    if (i > 0) categories.push_back(',');
    AppendQuoted(categories, CodeOf<v1::DataSubjectCategory>(
                                 form.data_subject_categories(i), "DATA_SUBJECT_CATEGORY_"));
  }
  categories.push_back(']');
  report.Int("databases", form.databases_size())
      .Bool("device_lost", form.device_lost())
      .Time("discovered_at", form.discovered_at())
      .Time("incident_at", form.incident_at())
      .Str("reporter_role", CodeOf<v1::ReporterRole>(
                                form.reporter_role(), "REPORTER_ROLE_"));
}
void Triaged(const v1::BreachTriaged& triaged, Breach& breach) {
  breach.Add("status") += "\"triaged\"";
  JsonObject(breach.Add("triage"))
      .Time("aware_at", triaged.awareness().aware_at())
      .Time("corrects_aware_at", triaged.previous_awareness().aware_at())
      .Str("verdict", CodeOf<v1::TriageVerdict>(triaged.verdict(),
                                                                         "TRIAGE_VERDICT_"));
}
void Amended(const v1::ReportAmended& amended, Breach& breach) {
  // The names of the fields changed, never their values.
  JsonObject amendment(breach.Add("amendment"));
  amendment.Time("amended_at", amended.amendment().amended_at());
  std::string& fields = amendment.Key("fields");
  fields.push_back('[');
  for (int i = 0; i < amended.amendment().changes_size(); ++i) {
    if (i > 0) fields.push_back(',');
    AppendQuoted(fields, amended.amendment().changes(i).field());
  }
  fields.push_back(']');
}
void ActionRecorded(const v1::ContainmentActionRecorded& recorded, Breach& breach) {
  JsonObject(breach.Add("action"))
      .Time("done_at", recorded.action().done_at())
      .Str("id", recorded.action().action_id())
      .Str("status", CodeOf<v1::ActionStatus>(recorded.action().status(),
                                                                      "ACTION_STATUS_"));
}
void Closed(const v1::BreachClosed&, Breach& breach) { breach.Add("status") += "\"closed\""; }
// Back to assessed, or triaged if never assessed: the event does not say which.
void Reopened(const v1::BreachReopened&, Breach&) {}

// assessment
void Submitted(const v1::AssessmentSubmitted& submitted, Breach& breach) {
  breach.Add("status") += "\"assessed\"";
  JsonObject(breach.Add("assessment"))
      .Strings("regimes", submitted.regimes())
      .Int("version", submitted.version());
}
void SeverityFields(const v1::SeverityAssessed& assessed, Breach& breach) {
  AssessmentVersion(breach, assessed.version());
  JsonObject(breach.Add("severity"))
      .Str("band", CodeOf<v1::SeverityBand>(assessed.severity().band(),
                                                                    "SEVERITY_BAND_"))
      .Str("method", assessed.severity().method())
      .Double("score", assessed.severity().score());
}
void Classified(const v1::BreachClassified& classified, Breach& breach) {
  AssessmentVersion(breach, classified.version());
  absl::StrAppend(&breach.Add("classification"), classified.classification());
  AppendQuoted(breach.Add("regime"), classified.regime());
}
void DutyDecidedFields(const v1::DutyDecided& decided, Breach& breach) {
  AssessmentVersion(breach, decided.version());
  DutyDecisionFields(breach.Add("duty"), decided.decision());
}
void Overridden(const v1::DutyOverridden& overridden, Breach& breach) {
  AssessmentVersion(breach, overridden.version());
  DutyDecisionFields(breach.Add("duty"), overridden.decision());
}
void DutiesDecidedFields(const v1::DutiesDecided& decided, Breach& breach) {
  breach.Add("status") += "\"decided\"";
  AssessmentVersion(breach, decided.version());
  std::string& duties = breach.Add("duties");
  duties.push_back('[');
  for (int i = 0; i < decided.decisions_size(); ++i) {
    if (i > 0) duties.push_back(',');
    DutyDecisionFields(duties, decided.decisions(i));
  }
  duties.push_back(']');
}

// notification
void Armed(const v1::ClockArmed& armed, Breach& breach) {
  const v1::Deadline& deadline = armed.deadline();
  DutyKind(breach, deadline.duty());
  JsonObject(breach.Add("deadline"))
      .Time("due", deadline.due_at())
      .Bool("internal_target", deadline.internal_target())
      .Time("starts", deadline.starts_at())
      .Str("status", CodeOf<v1::DeadlineStatus>(deadline.status(),
                                                                          "DEADLINE_STATUS_"))
      .Str("window", deadline.window());
  AssessmentVersion(breach, armed.assessment_version());
}
void Disarmed(const v1::ClockDisarmed& disarmed, Breach& breach) {
  DutyKind(breach, disarmed.duty());
}
void Warning(const v1::DeadlineWarning& warning, Breach& breach) {
  DutyKind(breach, warning.duty());
  JsonObject(breach.Add("deadline"))
      .Time("due", warning.due_at())
      .Double("fraction", warning.fraction())
      .Str("status", "warning");
}
void Missed(const v1::DeadlineMissed& missed, Breach& breach) {
  DutyKind(breach, missed.duty());
  JsonObject(breach.Add("deadline")).Time("due", missed.due_at()).Str("status", "overdue");
}
void Prepared(const v1::DraftPrepared& prepared, Breach& breach) {
  const v1::Draft& draft = prepared.draft();
  DutyKind(breach, draft.duty());
  JsonObject(breach.Add("draft"))
      .Int("languages", draft.documents_size())
      .Str("phase", CodeOf<v1::NotificationPhase>(
                        draft.phase(), "NOTIFICATION_PHASE_"))
      .Str("sha256", draft.sha256())
      .Int("version", draft.draft_version());
  AssessmentVersion(breach, draft.assessment_version());
}
void Approved(const v1::DraftApproved& approved, Breach& breach) {
  DutyKind(breach, approved.duty());
  JsonObject(breach.Add("draft"))
      .Bool("late", !approved.delay_reason().empty())
      .Str("sha256", approved.sha256())
      .Int("version", approved.draft_version());
}
void Queued(const v1::DispatchQueued& queued, Breach& breach) {
  // How many deliveries on which channels: never to whom.
  std::map<std::string, int> channels;
  for (const auto& delivery : queued.deliveries()) {
    ++channels[CodeOf<v1::Channel>(delivery.channel(), "CHANNEL_")];
  }
  DutyKind(breach, queued.duty());
  JsonObject(breach.Add("draft")).Int("version", queued.draft_version());
  {
    JsonObject dispatch(breach.Add("dispatch"));
    {
      JsonObject by_channel(dispatch.Key("channels"));
      for (const auto& [channel, count] : channels) by_channel.Int(channel, count);
    }
    dispatch.Int("deliveries", queued.deliveries_size())
        .Bool("late", !queued.delay_reason().empty());
  }
  JsonObject(breach.Add("delivery")).Str("status", "queued");
}
void Attempted(const v1::DeliveryAttempted& attempted, Breach& breach) {
  DeliveryFields(breach, attempted.delivery_id(), attempted.attempt(), "sending");
}
void Sent(const v1::DeliverySent& sent, Breach& breach) {
  DutyKind(breach, sent.duty());
  DeliveryFields(breach, sent.delivery_id(), sent.attempt(), "sent");
}
void Failed(const v1::DeliveryFailed& failed, Breach& breach) {
  // The server's answer is left out: it may quote the recipient's address.
  DutyKind(breach, failed.duty());
  DeliveryFields(breach, failed.delivery_id(), failed.attempt(),
                 failed.final() ? "failed" : "retrying", &failed.next_attempt_at());
}
void OutcomeUnknown(const v1::DeliveryOutcomeUnknown& unknown, Breach& breach) {
  DeliveryFields(breach, unknown.delivery_id(), unknown.attempt(), "outcome_unknown");
}
void DutySubmittedFields(const v1::DutySubmitted& submitted, Breach& breach) {
  JsonObject(breach.Add("duty"))
      .Str("kind", DutyCode(submitted.duty()))
      .Bool("late", submitted.late())
      .Time("submitted_at", submitted.submitted_at());
}
void Receipt(const v1::ReceiptRecorded& recorded, Breach& breach) {
  const v1::Receipt& receipt = recorded.receipt();
  DutyKind(breach, receipt.duty());
  // The Garante's protocol number identifies a filing, not a person; the note is free text.
  JsonObject(breach.Add("receipt"))
      .Str("kind", CodeOf<v1::ReceiptKind>(receipt.kind(), "RECEIPT_KIND_"))
      .Str("protocol_number", receipt.protocol_number())
      .Time("received_at", receipt.received_at());
}
void ProfileSet(const v1::SchoolProfileSet& set, Breach& breach) {
  // Names, addresses, mailboxes and the webhook stay out: which school, and that it has a
  // webhook, is all.
  JsonObject(breach.Add("school"))
      .Str("tenant", set.profile().tenant())
      .Bool("webhook", !set.profile().webhook_url().empty());
}

// reads and refusals (every service)
void Viewed(const v1::BreachViewed& viewed, Breach& breach) {
  AppendQuoted(breach.Add("view"), viewed.view());
  if (viewed.view() == "draft") {  // notification's GetDraft: which draft was read
    DutyKind(breach, viewed.duty());
    JsonObject(breach.Add("draft")).Int("version", viewed.draft_version());
  }
}
void Listed(const v1::BreachesListed& listed, Breach& breach) {
  JsonObject(breach.Add("listing"))
      .Strings("breach_ids", listed.breach_ids())
      .Int("entries", listed.breach_ids_size())
      .Str("status_filter", listed.status())
      .Str("tenant_filter", listed.tenant())
      .Int("year_filter", listed.year());
}
void Denied(const v1::AccessDenied& denied, Breach& breach) {
  // The reason is written by breachd's authorizer (subject, action, missing role): no free text
  // from a client.
  JsonObject(breach.Add("access"))
      .Str("method", denied.method())
      .Str("reason", denied.reason())
      .Str("requested_tenant", denied.requested_tenant());
  if (!denied.breach_id().empty()) AppendQuoted(breach.Add("id"), denied.breach_id());
}

// the provider's access to a school's personal data (docs/security.md): who and until when,
// never the reason (free text)
void AccessGranted(const v1::ProviderAccessGranted&, Breach& breach) {
  JsonObject(breach.Add("provider_access")).Str("grant", "granted");
}
void AccessRevoked(const v1::ProviderAccessRevoked&, Breach& breach) {
  JsonObject(breach.Add("provider_access")).Str("grant", "revoked");
}
void BreakGlass(const v1::BreakGlassOpened& opened, Breach& breach) {
  JsonObject(breach.Add("provider_access"))
      .Bool("break_glass", true)
      .Int("duration_seconds", opened.duration_seconds())
      .Time("expires_at", opened.expires_at());
}

// Unpacks the payload as `Payload` (once, into a message this thread reuses, so its strings keep
// their capacity) and hands it to `Fill`; false if it does not unpack.
using Adder = bool (*)(const EventEnvelope& event, Breach& breach);
template <typename Payload, void (*Fill)(const Payload&, Breach&)>
bool Unpacked(const EventEnvelope& event, Breach& breach) {
  thread_local Payload payload;
  if (!event.payload().UnpackTo(&payload)) return false;
  Fill(payload, breach);
  return true;
}

// How ECS files one event type (event.kind, .category, .type, .outcome, .action), and what adds
// the type's own `breach.*` fields.
struct Mapping {
  const char* kind;
  const char* category;
  const char* type;
  const char* outcome;
  Adder add;
  std::string action = {};  // filled in from the type's name
};

const absl::flat_hash_map<std::string, Mapping>& Mappings() {
  static const auto* mappings = [] {
    auto* built = new absl::flat_hash_map<std::string, Mapping>{
        // intake
        {"breach.v1.BreachReported",
         {"event", "database", "creation", "success", Unpacked<v1::BreachReported, Reported>}},
        {"breach.v1.BreachTriaged",
         {"event", "database", "change", "success", Unpacked<v1::BreachTriaged, Triaged>}},
        {"breach.v1.ReportAmended",
         {"event", "database", "change", "success", Unpacked<v1::ReportAmended, Amended>}},
        {"breach.v1.ContainmentActionRecorded",
         {"event", "database", "creation", "success",
          Unpacked<v1::ContainmentActionRecorded, ActionRecorded>}},
        {"breach.v1.BreachClosed",
         {"event", "database", "end", "success", Unpacked<v1::BreachClosed, Closed>}},
        {"breach.v1.BreachReopened",
         {"event", "database", "start", "success", Unpacked<v1::BreachReopened, Reopened>}},
        // assessment
        {"breach.v1.AssessmentSubmitted",
         {"event", "database", "creation", "success",
          Unpacked<v1::AssessmentSubmitted, Submitted>}},
        {"breach.v1.SeverityAssessed",
         {"event", "database", "info", "success",
          Unpacked<v1::SeverityAssessed, SeverityFields>}},
        {"breach.v1.BreachClassified",
         {"event", "database", "info", "success", Unpacked<v1::BreachClassified, Classified>}},
        {"breach.v1.DutyDecided",
         {"event", "database", "info", "success", Unpacked<v1::DutyDecided, DutyDecidedFields>}},
        {"breach.v1.DutyOverridden",
         {"event", "database", "change", "success", Unpacked<v1::DutyOverridden, Overridden>}},
        {"breach.v1.DutiesDecided",
         {"event", "database", "change", "success",
          Unpacked<v1::DutiesDecided, DutiesDecidedFields>}},
        // notification
        {"breach.v1.ClockArmed",
         {"event", "process", "start", "success", Unpacked<v1::ClockArmed, Armed>}},
        {"breach.v1.ClockDisarmed",
         {"event", "process", "end", "success", Unpacked<v1::ClockDisarmed, Disarmed>}},
        {"breach.v1.DeadlineWarning",
         {"alert", "process", "info", "unknown", Unpacked<v1::DeadlineWarning, Warning>}},
        {"breach.v1.DeadlineMissed",
         {"alert", "process", "end", "failure", Unpacked<v1::DeadlineMissed, Missed>}},
        {"breach.v1.DraftPrepared",
         {"event", "database", "creation", "success", Unpacked<v1::DraftPrepared, Prepared>}},
        {"breach.v1.DraftApproved",
         {"event", "database", "allowed", "success", Unpacked<v1::DraftApproved, Approved>}},
        {"breach.v1.DispatchQueued",
         {"event", "network", "start", "success", Unpacked<v1::DispatchQueued, Queued>}},
        {"breach.v1.DeliveryAttempted",
         {"event", "network", "start", "unknown", Unpacked<v1::DeliveryAttempted, Attempted>}},
        {"breach.v1.DeliverySent",
         {"event", "network", "end", "success", Unpacked<v1::DeliverySent, Sent>}},
        {"breach.v1.DeliveryFailed",
         {"event", "network", "error", "failure", Unpacked<v1::DeliveryFailed, Failed>}},
        {"breach.v1.DeliveryOutcomeUnknown",
         {"event", "network", "info", "unknown",
          Unpacked<v1::DeliveryOutcomeUnknown, OutcomeUnknown>}},
        {"breach.v1.DutySubmitted",
         {"event", "database", "change", "success",
          Unpacked<v1::DutySubmitted, DutySubmittedFields>}},
        {"breach.v1.ReceiptRecorded",
         {"event", "database", "change", "success", Unpacked<v1::ReceiptRecorded, Receipt>}},
        {"breach.v1.SchoolProfileSet",
         {"event", "configuration", "change", "success",
          Unpacked<v1::SchoolProfileSet, ProfileSet>}},
        // reads and refusals (every service)
        {"breach.v1.BreachViewed",
         {"event", "database", "access", "success", Unpacked<v1::BreachViewed, Viewed>}},
        {"breach.v1.BreachesListed",
         {"event", "database", "access", "success", Unpacked<v1::BreachesListed, Listed>}},
        {"breach.v1.ProviderAccessGranted",
         {"event", "iam", "change", "success",
          Unpacked<v1::ProviderAccessGranted, AccessGranted>}},
        {"breach.v1.ProviderAccessRevoked",
         {"event", "iam", "change", "success",
          Unpacked<v1::ProviderAccessRevoked, AccessRevoked>}},
        {"breach.v1.BreakGlassOpened",
         {"alert", "iam", "admin", "success", Unpacked<v1::BreakGlassOpened, BreakGlass>}},
        {"breach.v1.AccessDenied",
         {"event", "iam", "denied", "failure", Unpacked<v1::AccessDenied, Denied>}},
    };
    for (auto& [type, mapping] : *built) mapping.action = ActionOf(type);
    return built;
  }();
  return *mappings;
}

// Streams that are about no breach: a tenant's audit record, a school's profile.
bool IsBreachStream(const std::string& stream_id) {
  return !absl::StartsWith(stream_id, "audit-") && !absl::StartsWith(stream_id, "school-");
}

}  // namespace

std::vector<std::string> MappedEventTypes() {
  std::vector<std::string> types;
  for (const auto& [type, mapping] : Mappings()) types.push_back(type);
  std::sort(types.begin(), types.end());
  return types;
}

// The document is written directly as text, in the key order nlohmann::json prints (sorted), so
// ToEcsDocument(event).dump() == ToEcsLine(event).json; no tree is built (siem_feed_bench).
absl::Status WriteEcsLine(const EventEnvelope& event, std::string& key, std::string& json) {
  key.clear();
  json.clear();
  if (event.event_id().empty()) return absl::InvalidArgumentError("event_id is empty");
  if (!event.has_recorded_at()) {
    return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), " has no recorded_at"));
  }
  // An event type this code does not know yet is a plain "info" with its metadata only.
  static const Mapping kUnknown{"event", "database", "info", "unknown", nullptr, ""};
  const auto found = Mappings().find(event.type());
  const Mapping& as = found == Mappings().end() ? kUnknown : found->second;

  // breach.*: the envelope's fields and the payload's, printed sorted by key; the payload may
  // name the breach (an audit event's), which then wins over the stream.
  thread_local Breach breach;
  breach.Clear();
  AppendQuoted(breach.Add("event_type"), event.type());
  {
    std::string& hash = breach.Add("hash");
    hash.push_back('"');
    AppendHex(hash, event.hash());
    hash.push_back('"');
  }
  absl::StrAppend(&breach.Add("position"), event.position());
  absl::StrAppend(&breach.Add("stream_version"), event.stream_version());
  if (IsBreachStream(event.stream_id())) AppendQuoted(breach.Add("id"), event.stream_id());
  if (as.add && !as.add(event, breach)) {
    return absl::InvalidArgumentError(
        absl::StrCat("event ", event.event_id(), " has an unreadable ", event.type(), " payload"));
  }
  // The Kafka key: the breach the document is about (the payload's, else the stream's), or the
  // stream for an event about no breach.
  const absl::string_view id = breach.Value("id");
  if (id.size() >= 2 && !absl::StrContains(id, '\\')) {
    key.assign(id.data() + 1, id.size() - 2);
  } else if (!id.empty()) {
    key = nlohmann::json::parse(id).get<std::string>();
  } else {
    key = event.stream_id();
  }

  std::string& out = json;
  out += "{\"@timestamp\":\"";
  AppendRfc3339(out, event.recorded_at());
  out += "\",\"breach\":";
  breach.AppendObject(out);
  out += ",\"ecs\":{\"version\":\"8.11\"},\"event\":{\"action\":";
  AppendQuoted(out, found == Mappings().end() ? ActionOf(event.type()) : as.action);
  absl::StrAppend(&out, ",\"category\":[\"", as.category, "\"],\"created\":\"");
  AppendRfc3339(out, event.occurred_at());
  out += "\",\"dataset\":\"breachd.events\",\"id\":";
  AppendQuoted(out, event.event_id());
  absl::StrAppend(&out, ",\"kind\":\"", as.kind, "\",\"outcome\":\"", as.outcome,
                  "\",\"type\":[\"", as.type, "\"]},\"labels\":{\"correlation_id\":");
  AppendQuoted(out, event.correlation_id());
  out += "},\"organization\":{\"id\":";
  AppendQuoted(out, event.tenant());
  out += "},\"service\":{\"name\":";
  AppendQuoted(out, event.source());
  out += "},\"user\":{\"id\":";
  AppendQuoted(out, event.actor().subject());
  out += ",\"roles\":[";
  AppendQuoted(out, event.actor().role());
  out += "]}}";
  return absl::OkStatus();
}

absl::StatusOr<EcsLine> ToEcsLine(const EventEnvelope& event) {
  EcsLine line;
  line.json.reserve(1024);
  RETURN_IF_ERROR(WriteEcsLine(event, line.key, line.json));
  return line;
}

absl::StatusOr<nlohmann::json> ToEcsDocument(const EventEnvelope& event) {
  absl::StatusOr<EcsLine> line = ToEcsLine(event);
  if (!line.ok()) return line.status();
  return nlohmann::json::parse(line->json);
}

absl::StatusOr<std::string> ToEcsJson(const EventEnvelope& event) {
  absl::StatusOr<EcsLine> line = ToEcsLine(event);
  if (!line.ok()) return line.status();
  return std::move(line->json);
}

}  // namespace breachd::siem
