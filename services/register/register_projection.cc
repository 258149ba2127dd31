#include "services/register/register_projection.h"

#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "libs/common/proto_time.h"
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

RegisterEntry EntryFromReport(const EventEnvelope& event, const breach::v1::BreachReported& reported,
                              const absl::TimeZone& zone) {
  const breach::v1::BreachReport& form = reported.report();
  RegisterEntry entry;
  entry.set_breach_id(reported.breach_id());
  entry.set_tenant(event.tenant());
  entry.set_name(absl::StrCat("tenants/", event.tenant(), "/breaches/", reported.breach_id()));
  entry.set_status(breach::v1::BREACH_STATUS_REPORTED);
  *entry.mutable_discovered_at() = form.discovered_at();
  if (form.has_incident_at()) *entry.mutable_incident_at() = form.incident_at();
  *entry.mutable_reported_at() = event.recorded_at();
  entry.set_place(form.place());
  entry.set_description(form.description());
  *entry.mutable_data_subject_categories() = form.data_subject_categories();
  entry.set_approx_data_subjects(form.approx_data_subjects());
  entry.set_year(static_cast<int32_t>(
      absl::ToCivilYear(TimeFromProto(form.discovered_at()), zone).year()));
  return entry;
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
  return absl::StrCat(type, " by ", event.actor().subject());
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
    updated->set_events(updated->events() + 1);
    *updated->mutable_updated_at() = event.recorded_at();
    writes.push_back({EntryKey(updated->tenant(), breach_id), updated->SerializeAsString()});
  }
  return writes;
}

}  // namespace breachd::register_
