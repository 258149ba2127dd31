#include "libs/siem/ecs_document.h"

#include <cstdio>
#include <functional>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "breach/v1/access.pb.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "libs/common/proto_time.h"
#include "libs/service/event_factory.h"

namespace breachd::siem {
namespace {

using breach::v1::EventEnvelope;
using nlohmann::json;

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
std::string DutyCode(int duty) { return Code(breach::v1::DutyKind_Name(duty), "DUTY_KIND_"); }

json Strings(const google::protobuf::RepeatedPtrField<std::string>& values) {
  return json(std::vector<std::string>(values.begin(), values.end()));
}

// "2026-11-30T09:00:00.250Z" (UTC, milliseconds). By hand: absl::FormatTime costs more than
// the rest of a document (siem_feed_bench).
std::string Rfc3339(const google::protobuf::Timestamp& timestamp) {
  const absl::CivilSecond civil =
      absl::ToCivilSecond(absl::FromUnixSeconds(timestamp.seconds()), absl::UTCTimeZone());
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                static_cast<int>(civil.year()), civil.month(), civil.day(), civil.hour(),
                civil.minute(), civil.second(), timestamp.nanos() / 1'000'000);
  return text;
}
// A timestamp field, or null when unset (so the key is still documented in every document).
json TimeOrNull(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return nullptr;
  return Rfc3339(timestamp);
}

// How ECS files one event type (event.kind, .category, .type, .outcome), and the function that
// adds the type's own `breach.*` fields: codes, counts, statuses, ids and times only.
using FieldAdder = std::function<bool(const EventEnvelope& event, json& breach)>;
struct Mapping {
  const char* kind;
  const char* category;
  const char* type;
  const char* outcome;
  FieldAdder add;
};

// Unpacks the payload as `Payload` and hands it to `add`; false if it does not unpack.
template <typename Payload>
FieldAdder With(std::function<void(const Payload& payload, json& breach)> add) {
  return [add = std::move(add)](const EventEnvelope& event, json& breach) {
    Payload payload;
    if (!event.payload().UnpackTo(&payload)) return false;
    add(payload, breach);
    return true;
  };
}

json DutyDecisionFields(const breach::v1::DutyDecision& decision) {
  return {{"kind", DutyCode(decision.duty())},
          {"required", decision.required()},
          {"computed_required", decision.computed_required()},
          {"overridden", decision.has_human_override()},
          {"regime", decision.regime()},
          {"legal_basis", decision.legal_basis()}};
}

json DeadlineFields(const breach::v1::Deadline& deadline) {
  return {{"starts", TimeOrNull(deadline.starts_at())},
          {"due", TimeOrNull(deadline.due_at())},
          {"window", deadline.window()},
          {"internal_target", deadline.internal_target()},
          {"status", Code(breach::v1::DeadlineStatus_Name(deadline.status()), "DEADLINE_STATUS_")}};
}

void DeliveryFields(json& breach, const std::string& delivery_id, uint32_t attempt,
                    const char* status) {
  breach["delivery"] = {{"id", delivery_id}, {"attempt", attempt}, {"status", status}};
}

const std::map<std::string, Mapping>& Mappings() {
  namespace v1 = breach::v1;
  static const auto* mappings = new std::map<std::string, Mapping>{
      // intake
      {"breach.v1.BreachReported",
       {"event", "database", "creation", "success",
        With<v1::BreachReported>([](const v1::BreachReported& reported, json& breach) {
          const v1::BreachReport& form = reported.report();
          json categories = json::array();
          for (int category : form.data_subject_categories()) {
            categories.push_back(
                Code(v1::DataSubjectCategory_Name(category), "DATA_SUBJECT_CATEGORY_"));
          }
          breach["status"] = "reported";
          breach["report"] = {
              {"approx_data_subjects", form.approx_data_subjects()},
              {"databases", form.databases_size()},
              {"device_lost", form.device_lost()},
              {"reporter_role", Code(v1::ReporterRole_Name(form.reporter_role()), "REPORTER_ROLE_")},
              {"discovered_at", TimeOrNull(form.discovered_at())},
              {"incident_at", TimeOrNull(form.incident_at())},
              {"data_subject_categories", std::move(categories)}};
        })}},
      {"breach.v1.BreachTriaged",
       {"event", "database", "change", "success",
        With<v1::BreachTriaged>([](const v1::BreachTriaged& triaged, json& breach) {
          breach["status"] = "triaged";
          breach["triage"] = {
              {"verdict", Code(v1::TriageVerdict_Name(triaged.verdict()), "TRIAGE_VERDICT_")},
              {"aware_at", TimeOrNull(triaged.awareness().aware_at())},
              {"corrects_aware_at", TimeOrNull(triaged.previous_awareness().aware_at())}};
        })}},
      {"breach.v1.ReportAmended",
       {"event", "database", "change", "success",
        With<v1::ReportAmended>([](const v1::ReportAmended& amended, json& breach) {
          // The names of the fields changed, never their values.
          json fields = json::array();
          for (const auto& change : amended.amendment().changes()) fields.push_back(change.field());
          breach["amendment"] = {{"fields", std::move(fields)},
                                 {"amended_at", TimeOrNull(amended.amendment().amended_at())}};
        })}},
      {"breach.v1.ContainmentActionRecorded",
       {"event", "database", "creation", "success",
        With<v1::ContainmentActionRecorded>(
            [](const v1::ContainmentActionRecorded& recorded, json& breach) {
              breach["action"] = {
                  {"id", recorded.action().action_id()},
                  {"status", Code(v1::ActionStatus_Name(recorded.action().status()),
                                  "ACTION_STATUS_")},
                  {"done_at", TimeOrNull(recorded.action().done_at())}};
            })}},
      {"breach.v1.BreachClosed",
       {"event", "database", "end", "success",
        With<v1::BreachClosed>([](const v1::BreachClosed&, json& breach) {
          breach["status"] = "closed";
        })}},
      {"breach.v1.BreachReopened",
       {"event", "database", "start", "success",
        // Back to assessed, or triaged if never assessed: the event does not say which.
        With<v1::BreachReopened>([](const v1::BreachReopened&, json&) {})}},
      // assessment
      {"breach.v1.AssessmentSubmitted",
       {"event", "database", "creation", "success",
        With<v1::AssessmentSubmitted>([](const v1::AssessmentSubmitted& submitted, json& breach) {
          breach["status"] = "assessed";
          breach["assessment"] = {{"version", submitted.version()},
                                  {"regimes", Strings(submitted.regimes())}};
        })}},
      {"breach.v1.SeverityAssessed",
       {"event", "database", "info", "success",
        With<v1::SeverityAssessed>([](const v1::SeverityAssessed& assessed, json& breach) {
          breach["assessment"] = {{"version", assessed.version()}};
          breach["severity"] = {
              {"score", assessed.severity().score()},
              {"band", Code(v1::SeverityBand_Name(assessed.severity().band()), "SEVERITY_BAND_")},
              {"method", assessed.severity().method()}};
        })}},
      {"breach.v1.BreachClassified",
       {"event", "database", "info", "success",
        With<v1::BreachClassified>([](const v1::BreachClassified& classified, json& breach) {
          breach["assessment"] = {{"version", classified.version()}};
          breach["classification"] = classified.classification();
          breach["regime"] = classified.regime();
        })}},
      {"breach.v1.DutyDecided",
       {"event", "database", "info", "success",
        With<v1::DutyDecided>([](const v1::DutyDecided& decided, json& breach) {
          breach["assessment"] = {{"version", decided.version()}};
          breach["duty"] = DutyDecisionFields(decided.decision());
        })}},
      {"breach.v1.DutyOverridden",
       {"event", "database", "change", "success",
        With<v1::DutyOverridden>([](const v1::DutyOverridden& overridden, json& breach) {
          breach["assessment"] = {{"version", overridden.version()}};
          breach["duty"] = DutyDecisionFields(overridden.decision());
        })}},
      {"breach.v1.DutiesDecided",
       {"event", "database", "change", "success",
        With<v1::DutiesDecided>([](const v1::DutiesDecided& decided, json& breach) {
          json duties = json::array();
          for (const auto& decision : decided.decisions()) {
            duties.push_back(DutyDecisionFields(decision));
          }
          breach["status"] = "decided";
          breach["assessment"] = {{"version", decided.version()}};
          breach["duties"] = std::move(duties);
        })}},
      // notification
      {"breach.v1.ClockArmed",
       {"event", "process", "start", "success",
        With<v1::ClockArmed>([](const v1::ClockArmed& armed, json& breach) {
          breach["duty"] = {{"kind", DutyCode(armed.deadline().duty())}};
          breach["deadline"] = DeadlineFields(armed.deadline());
          breach["assessment"] = {{"version", armed.assessment_version()}};
        })}},
      {"breach.v1.ClockDisarmed",
       {"event", "process", "end", "success",
        With<v1::ClockDisarmed>([](const v1::ClockDisarmed& disarmed, json& breach) {
          breach["duty"] = {{"kind", DutyCode(disarmed.duty())}};
        })}},
      {"breach.v1.DeadlineWarning",
       {"alert", "process", "info", "unknown",
        With<v1::DeadlineWarning>([](const v1::DeadlineWarning& warning, json& breach) {
          breach["duty"] = {{"kind", DutyCode(warning.duty())}};
          breach["deadline"] = {{"due", TimeOrNull(warning.due_at())},
                                {"fraction", warning.fraction()},
                                {"status", "warning"}};
        })}},
      {"breach.v1.DeadlineMissed",
       {"alert", "process", "end", "failure",
        With<v1::DeadlineMissed>([](const v1::DeadlineMissed& missed, json& breach) {
          breach["duty"] = {{"kind", DutyCode(missed.duty())}};
          breach["deadline"] = {{"due", TimeOrNull(missed.due_at())}, {"status", "overdue"}};
        })}},
      {"breach.v1.DraftPrepared",
       {"event", "database", "creation", "success",
        With<v1::DraftPrepared>([](const v1::DraftPrepared& prepared, json& breach) {
          const v1::Draft& draft = prepared.draft();
          breach["duty"] = {{"kind", DutyCode(draft.duty())}};
          breach["draft"] = {
              {"version", draft.draft_version()},
              {"phase", Code(v1::NotificationPhase_Name(draft.phase()), "NOTIFICATION_PHASE_")},
              {"sha256", draft.sha256()},
              {"languages", draft.documents_size()}};
          breach["assessment"] = {{"version", draft.assessment_version()}};
        })}},
      {"breach.v1.DraftApproved",
       {"event", "database", "allowed", "success",
        With<v1::DraftApproved>([](const v1::DraftApproved& approved, json& breach) {
          breach["duty"] = {{"kind", DutyCode(approved.duty())}};
          breach["draft"] = {{"version", approved.draft_version()},
                             {"sha256", approved.sha256()},
                             {"late", !approved.delay_reason().empty()}};
        })}},
      {"breach.v1.DispatchQueued",
       {"event", "network", "start", "success",
        With<v1::DispatchQueued>([](const v1::DispatchQueued& queued, json& breach) {
          // How many deliveries on which channels: never to whom.
          json channels = json::object();
          for (const auto& delivery : queued.deliveries()) {
            const std::string channel = Code(v1::Channel_Name(delivery.channel()), "CHANNEL_");
            channels[channel] = channels.value(channel, 0) + 1;
          }
          breach["duty"] = {{"kind", DutyCode(queued.duty())}};
          breach["draft"] = {{"version", queued.draft_version()}};
          breach["dispatch"] = {{"deliveries", queued.deliveries_size()},
                                {"channels", std::move(channels)},
                                {"late", !queued.delay_reason().empty()}};
          breach["delivery"] = {{"status", "queued"}};
        })}},
      {"breach.v1.DeliveryAttempted",
       {"event", "network", "start", "unknown",
        With<v1::DeliveryAttempted>([](const v1::DeliveryAttempted& attempted, json& breach) {
          DeliveryFields(breach, attempted.delivery_id(), attempted.attempt(), "sending");
        })}},
      {"breach.v1.DeliverySent",
       {"event", "network", "end", "success",
        With<v1::DeliverySent>([](const v1::DeliverySent& sent, json& breach) {
          breach["duty"] = {{"kind", DutyCode(sent.duty())}};
          DeliveryFields(breach, sent.delivery_id(), sent.attempt(), "sent");
        })}},
      {"breach.v1.DeliveryFailed",
       {"event", "network", "error", "failure",
        With<v1::DeliveryFailed>([](const v1::DeliveryFailed& failed, json& breach) {
          // The server's answer is left out: it may quote the recipient's address.
          breach["duty"] = {{"kind", DutyCode(failed.duty())}};
          DeliveryFields(breach, failed.delivery_id(), failed.attempt(),
                         failed.final() ? "failed" : "retrying");
          breach["delivery"]["next_attempt_at"] = TimeOrNull(failed.next_attempt_at());
        })}},
      {"breach.v1.DeliveryOutcomeUnknown",
       {"event", "network", "info", "unknown",
        With<v1::DeliveryOutcomeUnknown>(
            [](const v1::DeliveryOutcomeUnknown& unknown, json& breach) {
              DeliveryFields(breach, unknown.delivery_id(), unknown.attempt(), "outcome_unknown");
            })}},
      {"breach.v1.DutySubmitted",
       {"event", "database", "change", "success",
        With<v1::DutySubmitted>([](const v1::DutySubmitted& submitted, json& breach) {
          breach["duty"] = {{"kind", DutyCode(submitted.duty())},
                            {"submitted_at", TimeOrNull(submitted.submitted_at())},
                            {"late", submitted.late()}};
        })}},
      {"breach.v1.ReceiptRecorded",
       {"event", "database", "change", "success",
        With<v1::ReceiptRecorded>([](const v1::ReceiptRecorded& recorded, json& breach) {
          const v1::Receipt& receipt = recorded.receipt();
          breach["duty"] = {{"kind", DutyCode(receipt.duty())}};
          // The Garante's protocol number identifies a filing, not a person; the note is free text.
          breach["receipt"] = {
              {"kind", Code(v1::ReceiptKind_Name(receipt.kind()), "RECEIPT_KIND_")},
              {"protocol_number", receipt.protocol_number()},
              {"received_at", TimeOrNull(receipt.received_at())}};
        })}},
      {"breach.v1.SchoolProfileSet",
       {"event", "configuration", "change", "success",
        With<v1::SchoolProfileSet>([](const v1::SchoolProfileSet& set, json& breach) {
          // Names, addresses, mailboxes and the webhook stay out: which school, and that it has
          // a webhook, is all.
          breach["school"] = {{"tenant", set.profile().tenant()},
                              {"webhook", !set.profile().webhook_url().empty()}};
        })}},
      // reads and refusals (every service)
      {"breach.v1.BreachViewed",
       {"event", "database", "access", "success",
        With<v1::BreachViewed>([](const v1::BreachViewed& viewed, json& breach) {
          breach["view"] = viewed.view();
        })}},
      {"breach.v1.BreachesListed",
       {"event", "database", "access", "success",
        With<v1::BreachesListed>([](const v1::BreachesListed& listed, json& breach) {
          breach["listing"] = {{"entries", listed.breach_ids_size()},
                               {"breach_ids", Strings(listed.breach_ids())},
                               {"tenant_filter", listed.tenant()},
                               {"year_filter", listed.year()},
                               {"status_filter", listed.status()}};
        })}},
      // the provider's access to a school's personal data (docs/security.md): who and until
      // when, never the reason (free text)
      {"breach.v1.ProviderAccessGranted",
       {"event", "iam", "change", "success",
        With<v1::ProviderAccessGranted>([](const v1::ProviderAccessGranted&, json& breach) {
          breach["provider_access"] = {{"grant", "granted"}};
        })}},
      {"breach.v1.ProviderAccessRevoked",
       {"event", "iam", "change", "success",
        With<v1::ProviderAccessRevoked>([](const v1::ProviderAccessRevoked&, json& breach) {
          breach["provider_access"] = {{"grant", "revoked"}};
        })}},
      {"breach.v1.BreakGlassOpened",
       {"alert", "iam", "admin", "success",
        With<v1::BreakGlassOpened>([](const v1::BreakGlassOpened& opened, json& breach) {
          breach["provider_access"] = {{"break_glass", true},
                                       {"duration_seconds", opened.duration_seconds()},
                                       {"expires_at", TimeOrNull(opened.expires_at())}};
        })}},
      {"breach.v1.AccessDenied",
       {"event", "iam", "denied", "failure",
        With<v1::AccessDenied>([](const v1::AccessDenied& denied, json& breach) {
          // The reason is written by breachd's authorizer (subject, action, missing role): no
          // free text from a client.
          breach["access"] = {{"method", denied.method()},
                              {"requested_tenant", denied.requested_tenant()},
                              {"reason", denied.reason()}};
          if (!denied.breach_id().empty()) breach["id"] = denied.breach_id();
        })}},
  };
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
  return types;
}

namespace {

// A JSON string literal, escaped as nlohmann::json::dump() escapes it (UTF-8 passes through:
// protobuf has checked that every string field is UTF-8).
void AppendQuoted(std::string& out, absl::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned char>(c));
          out += escaped;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

std::string Quoted(absl::string_view text) {
  std::string out;
  AppendQuoted(out, text);
  return out;
}

}  // namespace

// The document is written directly as text, in the key order nlohmann::json would print it
// (sorted), so ToEcsDocument(event).dump() == ToEcsLine(event).json; only the payload's own
// `breach.*` fields go through a (small) json tree. A tree for the whole document cost four
// times as much (siem_feed_bench).
absl::StatusOr<EcsLine> ToEcsLine(const EventEnvelope& event) {
  if (event.event_id().empty()) return absl::InvalidArgumentError("event_id is empty");
  if (!event.has_recorded_at()) {
    return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), " has no recorded_at"));
  }
  // An event type this code does not know yet is a plain "info" with its metadata only.
  static const Mapping kUnknown{"event", "database", "info", "unknown", nullptr};
  const auto found = Mappings().find(event.type());
  const Mapping& as = found == Mappings().end() ? kUnknown : found->second;
  json payload = json::object();
  if (as.add && !as.add(event, payload)) {
    return absl::InvalidArgumentError(
        absl::StrCat("event ", event.event_id(), " has an unreadable ", event.type(), " payload"));
  }
  // breach.*: the envelope's fields and the payload's, sorted by key; the payload may name the
  // breach (an audit event's), which then wins over the stream.
  std::map<std::string, std::string> breach = {
      {"event_type", Quoted(event.type())},
      {"hash", Quoted(absl::BytesToHexString(event.hash()))},
      {"position", absl::StrCat(event.position())},
      {"stream_version", absl::StrCat(event.stream_version())}};
  if (IsBreachStream(event.stream_id())) breach["id"] = Quoted(event.stream_id());
  for (auto& [key, value] : payload.items()) breach[key] = value.dump();
  EcsLine line;
  const auto named = payload.find("id");
  line.key = named != payload.end() && named->is_string() ? named->get<std::string>()
                                                          : event.stream_id();

  std::string& out = line.json;
  out.reserve(1024);
  out += "{\"@timestamp\":\"";
  out += Rfc3339(event.recorded_at());
  out += "\",\"breach\":{";
  bool first = true;
  for (const auto& [key, value] : breach) {
    if (!first) out.push_back(',');
    first = false;
    AppendQuoted(out, key);
    out.push_back(':');
    out += value;
  }
  out += "},\"ecs\":{\"version\":\"8.11\"},\"event\":{\"action\":";
  AppendQuoted(out, ActionOf(event.type()));
  absl::StrAppend(&out, ",\"category\":[\"", as.category, "\"],\"created\":\"",
                  Rfc3339(event.occurred_at()), "\",\"dataset\":\"breachd.events\",\"id\":");
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
  return line;
}

absl::StatusOr<json> ToEcsDocument(const EventEnvelope& event) {
  absl::StatusOr<EcsLine> line = ToEcsLine(event);
  if (!line.ok()) return line.status();
  return json::parse(line->json);
}

absl::StatusOr<std::string> ToEcsJson(const EventEnvelope& event) {
  absl::StatusOr<EcsLine> line = ToEcsLine(event);
  if (!line.ok()) return line.status();
  return std::move(line->json);
}

}  // namespace breachd::siem
