#include "services/intake/incident_updates.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "breach/v1/events.pb.h"
#include "libs/common/ids.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/service/event_factory.h"
#include "services/intake/breach_changes.h"
#include "services/intake/incident_planning.h"
#include "services/intake/intake_schema.h"
#include "services/intake/report_validation.h"

namespace breachd::intake {
namespace {

constexpr char kUpdateIncidentMethod[] = "/breach.v1.IncidentService/UpdateIncident";
constexpr char kActionsTaken[] = "actions_taken";
constexpr char kAmended[] = "amended";
constexpr char kClosed[] = "closed";
constexpr char kCurrent[] = "current";

using service::ActorOf;

bool SelectsSchools(const breach::v1::SchoolSelection& selection) {
  return !selection.codes().empty() || !selection.service().empty();
}

// `report` as `update` leaves it: its fields replaced, its containment added to actions_taken
// (unless it is there already).
breach::v1::BreachReport Updated(const breach::v1::BreachReport& report,
                                 const breach::v1::IncidentUpdate& update) {
  google::protobuf::FieldMask mask;
  for (const std::string& field : update.fields()) mask.add_paths(field);
  breach::v1::BreachReport updated = MergeFields(report, update.values(), mask);
  // Added once: a case opened after the update already says it.
  if (!update.containment().empty() &&
      !absl::StrContains(updated.actions_taken(), update.containment())) {
    updated.set_actions_taken(updated.actions_taken().empty()
                                  ? update.containment()
                                  : absl::StrCat(updated.actions_taken(), "\n",
                                                 update.containment()));
  }
  return updated;
}

// The fields an update touches: its mask, and actions_taken for a containment.
std::vector<std::string> TouchedFields(const breach::v1::IncidentUpdate& update) {
  std::vector<std::string> fields(update.fields().begin(), update.fields().end());
  if (!update.containment().empty() &&
      std::find(fields.begin(), fields.end(), kActionsTaken) == fields.end()) {
    fields.push_back(kActionsTaken);
  }
  return fields;
}

}  // namespace

std::string IncidentUpdatePrefix(const std::string& incident_id) {
  return absl::StrCat("incident-update/", incident_id, "/");
}

std::string IncidentUpdateKey(const std::string& incident_id, int seq) {
  // Zero-padded: the rows of an incident scan in update order.
  return absl::StrFormat("%s%06d", IncidentUpdatePrefix(incident_id), seq);
}

std::string IncidentAmendedPrefix(const std::string& incident_id, int seq) {
  return absl::StrFormat("incident-amended/%s/%06d/", incident_id, seq);
}

std::string IncidentAmendedKey(const std::string& incident_id, int seq, const std::string& code) {
  return absl::StrCat(IncidentAmendedPrefix(incident_id, seq), code);
}

std::string CaseAmendmentEventId(const std::string& incident_id, int seq, const std::string& code) {
  return DerivedUlid(incident_id, absl::StrCat("amended/", seq, "/", code));
}

absl::Status CheckUpdateRequest(const breach::v1::UpdateIncidentRequest& request) {
  RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  if (!IsUlid(request.incident_id())) {
    return absl::InvalidArgumentError("incident_id is not an incident id");
  }
  RETURN_IF_ERROR(RequireText("reason", request.reason()));
  if (request.update_mask().paths().empty() && request.containment().empty() &&
      !request.close() && !SelectsSchools(request.add_schools())) {
    return absl::InvalidArgumentError(
        "update: give new facts (update_mask and report), containment, close or add_schools");
  }
  RETURN_IF_ERROR(CheckAmendableFields(request.update_mask(), "update_mask"));
  for (const std::string& path : request.update_mask().paths()) {
    if (path == "reporter_role") {
      return absl::InvalidArgumentError(
          "update_mask: reporter_role cannot change: the provider reports as processor");
    }
  }
  if (request.update_mask().paths().empty() && request.has_report()) {
    return absl::InvalidArgumentError(
        "update_mask: name the fields of report that change (e.g. \"description\")");
  }
  if (!request.containment().empty()) {
    RETURN_IF_ERROR(RequireText("containment", request.containment()));
  }
  if (!request.add_schools().codes().empty() && !request.add_schools().service().empty()) {
    return absl::InvalidArgumentError(
        "add_schools: give add_schools.codes or add_schools.service, not both");
  }
  return absl::OkStatus();
}

absl::StatusOr<RecordedUpdate> PlanUpdate(const breach::v1::Incident& incident,
                                          const breach::v1::UpdateIncidentRequest& request,
                                          const std::map<std::string, directory::School>& directory,
                                          const auth::Principal& actor, absl::Time now) {
  if (incident.closed()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "incident ", incident.incident_id(), " is closed: it takes no more updates"));
  }
  RecordedUpdate recorded{incident, {}};
  breach::v1::IncidentUpdate& update = recorded.update;
  update.set_incident_id(incident.incident_id());
  update.set_seq(incident.updates() + 1);
  update.set_reason(request.reason());
  update.set_containment(request.containment());
  update.set_closes(request.close());
  for (const std::string& path : request.update_mask().paths()) update.add_fields(path);
  if (!request.update_mask().paths().empty()) *update.mutable_values() = request.report();
  update.set_targets(incident.schools_size());
  *update.mutable_updated_by() = ActorOf(actor);
  *update.mutable_recorded_at() = ProtoFromTime(now);
  update.set_request_id(request.request_id());

  // The new facts, checked as every case will carry them.
  const breach::v1::BreachReport facts = Updated(incident.report(), update);
  RETURN_IF_ERROR(CheckIncidentReport(facts, now));
  for (auto& change : FieldChanges(incident.report(), facts, TouchedFields(update))) {
    *update.add_facts() = std::move(change);
  }

  if (SelectsSchools(request.add_schools())) {
    breach::v1::SchoolSelection selection = request.add_schools();
    absl::StatusOr<std::vector<std::string>> selected = SelectSchools(selection, directory);
    if (!selected.ok()) {  // its messages name schools.<field>; here the field is add_schools
      return absl::InvalidArgumentError(
          absl::StrCat("add_", selected.status().message()));
    }
    const std::set<std::string> affected(incident.schools().begin(), incident.schools().end());
    for (const std::string& code : *selected) {
      if (affected.count(code) == 0) update.add_added(code);
    }
  }
  if (update.facts().empty() && !update.closes() && update.added().empty()) {
    return absl::InvalidArgumentError(
        "update: it changes nothing: the facts already read so, and the schools are already "
        "affected");
  }

  breach::v1::Incident& next = recorded.incident;
  *next.mutable_report() = facts;
  for (const std::string& code : update.added()) next.add_schools(code);
  next.set_updates(update.seq());
  if (update.closes()) {
    next.set_closed(true);
    *next.mutable_closed_at() = ProtoFromTime(now);
  }
  return recorded;
}

std::vector<std::string> PendingTargets(const breach::v1::Incident& incident,
                                        const breach::v1::IncidentUpdate& update,
                                        const std::set<std::string>& done) {
  std::vector<std::string> pending;
  const int targets = std::min(update.targets(), incident.schools_size());
  for (int i = 0; i < targets; ++i) {
    if (done.count(incident.schools(i)) == 0) pending.push_back(incident.schools(i));
  }
  return pending;
}

breach::v1::ReportAmended CaseAmendment(const breach::v1::Report& report,
                                        const breach::v1::IncidentUpdate& update,
                                        const auth::Principal& actor, absl::Time now) {
  breach::v1::ReportAmended amended;
  amended.set_breach_id(report.breach_id());
  breach::v1::Amendment* amendment = amended.mutable_amendment();
  for (auto& change :
       FieldChanges(report.current(), Updated(report.current(), update), TouchedFields(update))) {
    *amendment->add_changes() = std::move(change);
  }
  amendment->set_reason(update.reason());
  *amendment->mutable_amended_by() = ActorOf(actor);
  *amendment->mutable_amended_at() = ProtoFromTime(now);
  amendment->set_incident_id(update.incident_id());
  amendment->set_incident_update(update.seq());
  amendment->set_incident_closed(update.closes());
  return amended;
}

absl::StatusOr<AmendmentBatch> PlanAmendmentBatch(const breach::v1::IncidentUpdate& update,
                                                  const std::vector<CaseToAmend>& cases, bool last,
                                                  const auth::Principal& actor, absl::Time now,
                                                  privacy::FieldCipher* cipher) {
  AmendmentBatch batch;
  batch.update = update;
  const std::string& incident_id = update.incident_id();
  for (const CaseToAmend& c : cases) {
    const std::string progress_key = IncidentAmendedKey(incident_id, update.seq(), c.school);
    // A case its school closed is not amended (a closed case takes no change); nor is one
    // whose report went missing (never expected: the fan-out writes it with the case).
    if (!c.report.has_value() || c.report->status() == breach::v1::BREACH_STATUS_CLOSED) {
      batch.rows.push_back({progress_key, kClosed});
      batch.update.set_cases_closed(batch.update.cases_closed() + 1);
      continue;
    }
    breach::v1::ReportAmended amended = CaseAmendment(*c.report, update, actor, now);
    // Nothing new for this case (created from the updated facts) unless the update closes
    // the incident, which every school hears of.
    if (amended.amendment().changes().empty() && !update.closes()) {
      batch.rows.push_back({progress_key, kCurrent});
      batch.update.set_cases_unchanged(batch.update.cases_unchanged() + 1);
      continue;
    }
    breach::v1::Report report = *c.report;
    ApplyAmendment(amended, report);
    const std::string& school = c.report->report().tenant();
    RETURN_IF_ERROR(SealFor(cipher, amended, school));
    RETURN_IF_ERROR(SealFor(cipher, report, school));
    eventstore::AppendRequest append;
    append.stream_id = c.breach_id;
    append.expected_version = c.version;  // ABORTED if the school changed it meanwhile
    breach::v1::EventEnvelope event = service::MakeEvent(
        {"intake", actor, kUpdateIncidentMethod, incident_id}, c.report->report().tenant(), now,
        amended);
    event.set_event_id(CaseAmendmentEventId(incident_id, update.seq(), c.school));
    append.events.push_back(std::move(event));
    append.projection.push_back({ReportKey(c.breach_id), report.SerializeAsString()});
    append.projection.push_back({progress_key, kAmended});
    batch.appends.push_back(std::move(append));
    batch.update.set_cases_amended(batch.update.cases_amended() + 1);
  }
  batch.update.set_done(last);
  breach::v1::IncidentUpdate row = batch.update;
  RETURN_IF_ERROR(SealFor(cipher, row, auth::kProviderTenant));
  batch.rows.push_back({IncidentUpdateKey(incident_id, update.seq()), row.SerializeAsString()});
  return batch;
}

}  // namespace breachd::intake
