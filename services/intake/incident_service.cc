#include "services/intake/incident_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "libs/common/ids.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/service/event_factory.h"
#include "libs/service/idempotency.h"
#include "libs/service/projection_rows.h"
#include "services/intake/directory_store.h"
#include "services/intake/incident_planning.h"
#include "services/intake/intake_schema.h"
#include "services/intake/intake_service.h"

namespace breachd::intake {
namespace {

constexpr char kCreateMethod[] = "/breach.v1.IncidentService/CreateIncident";
constexpr char kGetMethod[] = "/breach.v1.IncidentService/GetIncident";
constexpr char kListMethod[] = "/breach.v1.IncidentService/ListIncidents";

// The fan-out acts as the system on the operator's behalf (the incident names the operator).
const auth::Principal& FanOutPrincipal() {
  static const auth::Principal principal{"service:intake", auth::kProviderTenant, {"system"}};
  return principal;
}

absl::StatusOr<std::map<std::string, std::string>> CasesOf(eventstore::EventStore& store,
                                                           const std::string& incident_id) {
  std::map<std::string, std::string> cases;  // school -> breach id
  const std::string prefix = IncidentCasePrefix(incident_id);
  RETURN_IF_ERROR(store.ScanProjection(prefix, "",
                                       [&](const std::string& key, const std::string& value) {
                                         cases.emplace(key.substr(prefix.size()), value);
                                         return true;
                                       }));
  return cases;
}

}  // namespace

FanOutWorker::FanOutWorker(eventstore::EventStore& store, const Clock& clock,
                           std::function<void()> on_append, absl::Duration pause)
    : store_(store), clock_(clock), on_append_(std::move(on_append)), pause_(pause) {}

FanOutWorker::~FanOutWorker() { Stop(); }

void FanOutWorker::Start() { thread_ = std::thread([this] { Loop(); }); }

void FanOutWorker::Poke() {
  absl::MutexLock lock(&mu_);
  poked_ = true;
}

void FanOutWorker::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void FanOutWorker::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      // Wakes on a poke, and every 5 s to retry a round that failed.
      mu_.AwaitWithTimeout(absl::Condition(
                               +[](FanOutWorker* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) {
                                 return w->poked_ || w->stop_;
                               },
                               this),
                           absl::Seconds(5));
      if (stop_) return;
      poked_ = false;
    }
    if (absl::Status status = RunOnce(); !status.ok()) {
      log::Warn("incident fan-out failed; retrying", {{"error", status.ToString()}});
      Poke();
      absl::SleepFor(absl::Seconds(1));
    }
  }
}

absl::Status FanOutWorker::RunOnce() {
  absl::MutexLock run(&run_mu_);
  ASSIGN_OR_RETURN(std::vector<breach::v1::Incident> incidents,
                   service::ReadRows<breach::v1::Incident>(store_, kIncidentPrefix));
  for (const breach::v1::Incident& incident : incidents) {
    if (incident.cases_created() < incident.schools_size()) RETURN_IF_ERROR(FanOut(incident));
  }
  return absl::OkStatus();
}

absl::Status FanOutWorker::FanOut(const breach::v1::Incident& incident) {
  ASSIGN_OR_RETURN(auto cases, CasesOf(store_, incident.incident_id()));
  std::set<std::string> done;
  for (const auto& [code, breach_id] : cases) done.insert(code);
  const absl::Time started = absl::Now();
  auto batches = PlanFanOut(incident, done, FanOutPrincipal(), clock_.Now());
  for (auto& batch : batches) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return absl::OkStatus();  // the next start resumes
    }
    RETURN_IF_ERROR(store_.AppendAcrossStreams(std::move(batch)).status());
    if (on_append_) on_append_();
    if (pause_ > absl::ZeroDuration()) absl::SleepFor(pause_);
  }
  log::Info("incident fanned out", {{"incident", incident.incident_id()},
                                    {"schools", absl::StrCat(incident.schools_size())},
                                    {"resumed_after", absl::StrCat(done.size())},
                                    {"took", absl::FormatDuration(absl::Now() - started)}});
  return absl::OkStatus();
}

IncidentService::IncidentService(eventstore::EventStore& store,
                                 const auth::IdentityStore& identities, const Clock& clock,
                                 std::function<void()> on_append, FanOutWorker& worker)
    : store_(store),
      clock_(clock),
      on_append_(std::move(on_append)),
      worker_(worker),
      guard_(kServiceName, identities, store, clock, on_append_) {}

absl::StatusOr<breach::v1::Incident> IncidentService::Create(
    const auth::Principal& principal, const breach::v1::CreateIncidentRequest& request) {
  RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kManageIncidents, "", kCreateMethod));
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(CheckIncidentRequest(request, now));
  absl::MutexLock lock(&create_mutex_);
  const service::IdempotentRequest idempotent(
      RequestKey(auth::kProviderTenant, absl::StrCat("incident:", request.request_id())),
      request.request_id(), request, principal.subject);
  ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.EarlierResult(store_));
  if (earlier.has_value()) {
    ASSIGN_OR_RETURN(auto stored,
                     service::ReadRow<breach::v1::Incident>(store_, IncidentKey(*earlier)));
    if (stored.has_value()) return *stored;
  }
  ASSIGN_OR_RETURN(auto directory, LoadDirectory(store_));
  ASSIGN_OR_RETURN(std::vector<std::string> schools, SelectSchools(request.schools(), directory));

  breach::v1::Incident incident =
      NewIncident(request, NewUlid(now), std::move(schools), principal, now);
  breach::v1::IncidentCreated created;
  *created.mutable_incident() = incident;
  const std::string stream = IncidentStreamId(incident.incident_id());
  eventstore::AppendRequest append;
  append.stream_id = stream;
  append.expected_version = 0;
  append.events.push_back(service::MakeEvent({kServiceName, principal, request.request_id(), stream},
                                             auth::kProviderTenant, now, created));
  append.projection.push_back({IncidentKey(incident.incident_id()), incident.SerializeAsString()});
  append.projection.push_back(idempotent.Remember(incident.incident_id()));
  RETURN_IF_ERROR(store_.Append(std::move(append)).status());
  if (on_append_) on_append_();
  worker_.Poke();
  log::Info("incident recorded", {{"incident", incident.incident_id()},
                                  {"schools", absl::StrCat(incident.schools_size())}});
  return incident;
}

absl::StatusOr<breach::v1::IncidentStatus> IncidentService::Status(const std::string& incident_id,
                                                                   bool with_schools) {
  if (!IsUlid(incident_id)) return absl::InvalidArgumentError("incident_id is not an incident id");
  ASSIGN_OR_RETURN(auto incident,
                   service::ReadRow<breach::v1::Incident>(store_, IncidentKey(incident_id)));
  if (!incident.has_value()) return absl::NotFoundError(absl::StrCat("no incident ", incident_id));
  ASSIGN_OR_RETURN(auto cases, CasesOf(store_, incident_id));
  breach::v1::IncidentStatus status;
  status.set_schools(incident->schools_size());
  status.set_cases_created(static_cast<int32_t>(cases.size()));
  status.set_fan_out_complete(static_cast<int>(cases.size()) >= incident->schools_size());
  std::map<int, breach::v1::IncidentStateGroup> groups;
  for (const auto& [code, breach_id] : cases) {
    ASSIGN_OR_RETURN(std::optional<breach::v1::Report> report, FindReport(store_, breach_id));
    const breach::v1::BreachStatus state =
        report.has_value() ? report->status() : breach::v1::BREACH_STATUS_UNSPECIFIED;
    breach::v1::IncidentStateGroup& group = groups[state];
    group.set_status(state);
    group.set_count(group.count() + 1);
    if (with_schools) {
      breach::v1::IncidentCase* out = group.add_cases();
      out->set_school(code);
      out->set_breach_id(breach_id);
    }
  }
  for (auto& [state, group] : groups) *status.add_states() = std::move(group);
  if (with_schools) {
    for (const std::string& code : incident->schools()) {
      if (cases.count(code) == 0) status.add_pending(code);
    }
  } else {
    incident->clear_schools();
  }
  incident->set_cases_created(status.cases_created());
  *status.mutable_incident() = *std::move(incident);
  return status;
}

grpc::Status IncidentService::CreateIncident(grpc::ServerContext* context,
                                             const breach::v1::CreateIncidentRequest* request,
                                             breach::v1::Incident* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, Create(principal, *request));
    return absl::OkStatus();
  });
}

grpc::Status IncidentService::GetIncident(grpc::ServerContext* context,
                                          const breach::v1::GetIncidentRequest* request,
                                          breach::v1::IncidentStatus* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kManageIncidents, "", kGetMethod));
    ASSIGN_OR_RETURN(*response, Status(request->incident_id(), request->with_schools()));
    return absl::OkStatus();
  });
}

grpc::Status IncidentService::ListIncidents(grpc::ServerContext* context,
                                            const breach::v1::ListIncidentsRequest* request,
                                            breach::v1::ListIncidentsResponse* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kManageIncidents, "", kListMethod));
    ASSIGN_OR_RETURN(std::vector<breach::v1::Incident> incidents,
                     service::ReadRows<breach::v1::Incident>(store_, kIncidentPrefix));
    for (auto it = incidents.rbegin(); it != incidents.rend(); ++it) {
      it->clear_schools();
      *response->add_incidents() = std::move(*it);
    }
    return absl::OkStatus();
  });
}

}  // namespace breachd::intake
