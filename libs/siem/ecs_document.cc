#include "libs/siem/ecs_document.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "breach/v1/events.pb.h"
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

// The ECS categorisation of each event type we know; anything else is a plain "process" info.
struct Categorisation {
  const char* category;
  const char* type;
  const char* outcome;
};
Categorisation CategoriseAs(const EventEnvelope& event) {
  if (event.payload().Is<breach::v1::AccessDenied>()) return {"iam", "denied", "failure"};
  if (event.payload().Is<breach::v1::BreachViewed>() ||
      event.payload().Is<breach::v1::BreachesListed>()) {
    return {"database", "access", "success"};
  }
  if (event.payload().Is<breach::v1::BreachReported>()) return {"database", "creation", "success"};
  return {"database", "change", "success"};
}

std::string Rfc3339(const google::protobuf::Timestamp& timestamp) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", TimeFromProto(timestamp), absl::UTCTimeZone());
}

// Our own `breach.*` fields of the payloads we know: codes, counts and ids only.
absl::Status AddPayloadFields(const EventEnvelope& event, json& breach) {
  auto unreadable = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("event ", event.event_id(), " has an unreadable ", event.type(), " payload"));
  };
  if (event.payload().Is<breach::v1::BreachReported>()) {
    breach::v1::BreachReported reported;
    if (!event.payload().UnpackTo(&reported)) return unreadable();
    const breach::v1::BreachReport& form = reported.report();
    breach["report"] = {
        {"approx_data_subjects", form.approx_data_subjects()},
        {"databases", form.databases_size()},
        {"device_lost", form.device_lost()},
        {"reporter_role", breach::v1::ReporterRole_Name(form.reporter_role())},
        {"discovered_at", Rfc3339(form.discovered_at())},
    };
    json categories = json::array();
    for (int category : form.data_subject_categories()) {
      categories.push_back(breach::v1::DataSubjectCategory_Name(category));
    }
    breach["report"]["data_subject_categories"] = std::move(categories);
  } else if (event.payload().Is<breach::v1::BreachViewed>()) {
    breach::v1::BreachViewed viewed;
    if (!event.payload().UnpackTo(&viewed)) return unreadable();
    breach["view"] = viewed.view();
  } else if (event.payload().Is<breach::v1::AccessDenied>()) {
    breach::v1::AccessDenied denied;
    if (!event.payload().UnpackTo(&denied)) return unreadable();
    // The reason is written by breachd's authorizer (subject, action, missing role): no free
    // text from a client.
    breach["access"] = {{"method", denied.method()},
                        {"requested_tenant", denied.requested_tenant()},
                        {"reason", denied.reason()}};
    if (!denied.breach_id().empty()) breach["id"] = denied.breach_id();
  } else if (event.payload().Is<breach::v1::BreachesListed>()) {
    breach::v1::BreachesListed listed;
    if (!event.payload().UnpackTo(&listed)) return unreadable();
    breach["listing"] = {{"entries", listed.breach_ids_size()},
                         {"tenant_filter", listed.tenant()},
                         {"year_filter", listed.year()},
                         {"status_filter", listed.status()}};
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<json> ToEcsDocument(const EventEnvelope& event) {
  if (event.event_id().empty()) return absl::InvalidArgumentError("event_id is empty");
  if (!event.has_recorded_at()) {
    return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), " has no recorded_at"));
  }
  const Categorisation as = CategoriseAs(event);
  json document = {
      {"@timestamp", Rfc3339(event.recorded_at())},
      {"ecs", {{"version", "8.11"}}},
      {"event",
       {{"kind", "event"},
        {"category", json::array({as.category})},
        {"type", json::array({as.type})},
        {"action", ActionOf(event.type())},
        {"outcome", as.outcome},
        {"id", event.event_id()},
        {"created", Rfc3339(event.occurred_at())},
        {"dataset", "breachd.events"}}},
      {"user", {{"id", event.actor().subject()}, {"roles", json::array({event.actor().role()})}}},
      {"organization", {{"id", event.tenant()}}},
      {"service", {{"name", event.source()}}},
      {"labels", {{"correlation_id", event.correlation_id()}}},
  };
  json breach = {{"event_type", event.type()},
                 {"stream_version", event.stream_version()},
                 {"position", event.position()},
                 {"hash", absl::BytesToHexString(event.hash())}};
  // Audit streams ("audit-<tenant>") are about no breach.
  if (event.stream_id().rfind("audit-", 0) != 0) breach["id"] = event.stream_id();
  if (absl::Status added = AddPayloadFields(event, breach); !added.ok()) return added;
  document["breach"] = std::move(breach);
  return document;
}

absl::StatusOr<std::string> ToEcsJson(const EventEnvelope& event) {
  absl::StatusOr<json> document = ToEcsDocument(event);
  if (!document.ok()) return document.status();
  return document->dump();
}

}  // namespace breachd::siem
