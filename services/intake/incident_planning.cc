#include "services/intake/incident_planning.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "breach/v1/events.pb.h"
#include "libs/common/ids.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/service/event_factory.h"
#include "services/intake/incident_progress.h"
#include "services/intake/intake_schema.h"
#include "services/intake/report_filing.h"
#include "services/intake/report_limits.h"
#include "services/intake/report_validation.h"

namespace breachd::intake {
namespace {

constexpr char kCreateIncidentMethod[] = "/breach.v1.IncidentService/CreateIncident";
constexpr size_t kMaxTitleBytes = 256;

bool Blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

std::string IncidentKey(const std::string& incident_id) {
  return absl::StrCat(kIncidentPrefix, incident_id);
}

std::string IncidentCasePrefix(const std::string& incident_id) {
  return absl::StrCat("incident-case/", incident_id, "/");
}

std::string IncidentCaseKey(const std::string& incident_id, const std::string& code) {
  return absl::StrCat(IncidentCasePrefix(incident_id), code);
}

std::string IncidentStreamId(const std::string& incident_id) {
  return absl::StrCat("incident-", incident_id);
}

std::string CaseBreachId(const std::string& incident_id, const std::string& code, int attempt) {
  // Attempt 0 is the id a single instance gives (unchanged since before scale-out).
  return DerivedUlid(incident_id, attempt == 0 ? absl::StrCat("case/", code)
                                               : absl::StrCat("case/", code, "/", attempt));
}

std::string CaseEventId(const std::string& incident_id, const std::string& code) {
  return DerivedUlid(incident_id, absl::StrCat("reported/", code));
}

absl::Status CheckIncidentReport(breach::v1::BreachReport report, absl::Time now) {
  // The report as a case will carry it, checked like any report.
  report.set_tenant("MIIS01200V");  // any well-formed code: the schools are checked apart
  report.set_reporter_role(breach::v1::REPORTER_ROLE_PROCESSOR);
  report.mutable_reporter()->set_external(true);
  RETURN_IF_ERROR(CheckReportLimits(report));
  return ValidateReport(report, now, [](const std::string&) { return true; });
}

absl::Status CheckIncidentRequest(const breach::v1::CreateIncidentRequest& request,
                                  absl::Time now) {
  RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  if (Blank(request.title())) return absl::InvalidArgumentError("title is required");
  if (request.title().size() > kMaxTitleBytes) {
    return absl::InvalidArgumentError(absl::StrCat("title is ", request.title().size(),
                                                   " bytes; the limit is ", kMaxTitleBytes));
  }
  if (!request.has_provider_aware_at()) {
    return absl::InvalidArgumentError(
        "provider_aware_at is required: when the provider became aware starts every school's "
        "48-hour notice");
  }
  RETURN_IF_ERROR(CheckTimeField("provider_aware_at", request.provider_aware_at(), now));
  if (!request.report().tenant().empty()) {
    return absl::InvalidArgumentError(
        "report.tenant must be empty: each case is filed for its own school");
  }
  RETURN_IF_ERROR(CheckIncidentReport(request.report(), now));
  const breach::v1::SchoolSelection& schools = request.schools();
  if (schools.codes().empty() && schools.service().empty()) {
    return absl::InvalidArgumentError(
        "schools: name the affected schools (schools.codes) or a service they use "
        "(schools.service)");
  }
  if (!schools.codes().empty() && !schools.service().empty()) {
    return absl::InvalidArgumentError("schools: give schools.codes or schools.service, not both");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> SelectSchools(
    const breach::v1::SchoolSelection& selection,
    const std::map<std::string, directory::School>& directory) {
  std::vector<std::string> selected;
  if (!selection.service().empty()) {
    for (const auto& [code, school] : directory) {
      if (std::find(school.services.begin(), school.services.end(), selection.service()) !=
          school.services.end()) {
        selected.push_back(code);
      }
    }
    if (selected.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "schools.service: no school of the directory uses the service \"",
          selection.service(), "\""));
    }
    return selected;
  }
  std::set<std::string> codes(selection.codes().begin(), selection.codes().end());
  std::vector<std::string> unknown;
  for (const std::string& code : codes) {
    if (directory.count(code) == 0) unknown.push_back(code);
  }
  if (!unknown.empty()) {
    constexpr size_t kNamed = 20;
    std::string named = absl::StrJoin(unknown.begin(),
                                      unknown.begin() + std::min(unknown.size(), kNamed), ", ");
    if (unknown.size() > kNamed) absl::StrAppend(&named, " and ", unknown.size() - kNamed, " more");
    return absl::InvalidArgumentError(absl::StrCat(
        "schools.codes: ", unknown.size(), " unknown school(s), not in the directory: ", named));
  }
  return std::vector<std::string>(codes.begin(), codes.end());
}

breach::v1::Incident NewIncident(const breach::v1::CreateIncidentRequest& request,
                                 const std::string& incident_id, std::vector<std::string> schools,
                                 const auth::Principal& actor, absl::Time now) {
  breach::v1::Incident incident;
  incident.set_incident_id(incident_id);
  incident.set_title(request.title());
  *incident.mutable_provider_aware_at() = request.provider_aware_at();
  *incident.mutable_report() = request.report();
  incident.mutable_report()->set_reporter_role(breach::v1::REPORTER_ROLE_PROCESSOR);
  incident.mutable_report()->mutable_reporter()->set_external(true);
  for (std::string& code : schools) incident.add_schools(std::move(code));
  incident.set_selection(request.schools().service().empty()
                             ? "list"
                             : absl::StrCat("service ", request.schools().service()));
  incident.mutable_created_by()->set_subject(actor.subject);
  incident.mutable_created_by()->set_role(actor.PrimaryRole());
  incident.mutable_created_by()->set_tenant(actor.tenant);
  *incident.mutable_recorded_at() = ProtoFromTime(now);
  incident.set_request_id(request.request_id());
  return incident;
}

breach::v1::BreachReport CaseReport(const breach::v1::Incident& incident, const std::string& code) {
  breach::v1::BreachReport report = incident.report();
  report.set_tenant(code);
  return report;
}

absl::Status SealFor(privacy::FieldCipher* cipher, google::protobuf::Message& message,
                     const std::string& tenant) {
  return cipher == nullptr ? absl::OkStatus() : cipher->SealPersonalData(message, tenant);
}

absl::StatusOr<std::vector<std::vector<eventstore::AppendRequest>>> PlanFanOut(
    const breach::v1::Incident& incident, const std::set<std::string>& done,
    const auth::Principal& actor, absl::Time now, size_t batch_size,
    privacy::FieldCipher* cipher, const CasePlacement& place, size_t max_batches) {
  std::vector<std::vector<eventstore::AppendRequest>> batches;
  const std::string& incident_id = incident.incident_id();
  int created = static_cast<int>(done.size());
  breach::v1::Incident progress = incident;
  RETURN_IF_ERROR(SealFor(cipher, progress, auth::kProviderTenant));
  std::vector<std::string> pending;
  for (const std::string& code : incident.schools()) {
    if (done.count(code) == 0) pending.push_back(code);
  }
  const size_t per_batch = std::max<size_t>(batch_size, 1);
  for (size_t first = 0; first < pending.size() && batches.size() < max_batches;
       first += per_batch) {
    const absl::Span<const std::string> codes =
        absl::MakeConstSpan(pending).subspan(first, per_batch);
    // Each school's key looked up once for the batch, the missing ones made together and
    // durable before any case sealed with them is stored.
    std::optional<privacy::FieldCipher::Batch> sealing;
    if (cipher != nullptr) {
      sealing.emplace(*cipher);
      RETURN_IF_ERROR(sealing->PrepareToSeal(codes));
    }
    std::vector<eventstore::AppendRequest>& batch = batches.emplace_back();
    for (const std::string& code : codes) {
      const std::string breach_id =
          place ? place(incident_id, code) : CaseBreachId(incident_id, code);
      breach::v1::ReportBreachRequest filing;
      filing.set_request_id(absl::StrCat("incident:", incident_id, ":", code));
      *filing.mutable_report() = CaseReport(incident, code);
      // Each school's copy under its own key: erasing one school erases its case only.
      breach::v1::Report report = FileReport(filing, actor, now, breach_id);
      if (sealing.has_value()) RETURN_IF_ERROR(sealing->SealPersonalData(report, code));
      breach::v1::BreachReported reported = ReportedEvent(report);
      reported.set_incident_id(incident_id);
      *reported.mutable_processor_aware_at() = incident.provider_aware_at();

      eventstore::AppendRequest append;
      append.stream_id = breach_id;
      append.expected_version = 0;
      breach::v1::EventEnvelope event = service::MakeEvent(
          {"intake", actor, kCreateIncidentMethod, breach_id}, code, now, reported);
      event.set_event_id(CaseEventId(incident_id, code));
      append.events.push_back(std::move(event));
      append.projection.push_back({ReportKey(breach_id), report.SerializeAsString()});
      append.projection.push_back({IncidentCaseKey(incident_id, code), breach_id});
      breach::v1::IncidentCaseProgress progress_row;  // the intake's consumer folds into it
      progress_row.set_incident_id(incident_id);
      progress_row.set_school(code);
      append.projection.push_back(
          {IncidentProgressKey(breach_id), progress_row.SerializeAsString()});
      batch.push_back(std::move(append));
    }
  }
  // The incident row, with the cases created once each batch is stored, rides on the batch's
  // first append.
  for (auto& batch : batches) {
    created += static_cast<int>(batch.size());
    progress.set_cases_created(created);
    batch.front().projection.push_back(
        {IncidentKey(incident_id), progress.SerializeAsString()});
  }
  return batches;
}

}  // namespace breachd::intake
