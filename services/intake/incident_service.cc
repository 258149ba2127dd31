#include "services/intake/incident_service.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
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
#include "services/intake/incident_progress.h"
#include "services/intake/incident_updates.h"
#include "services/intake/intake_schema.h"
#include "services/intake/intake_service.h"

namespace breachd::intake {
namespace {

constexpr char kCreateMethod[] = "/breach.v1.IncidentService/CreateIncident";
constexpr char kGetMethod[] = "/breach.v1.IncidentService/GetIncident";
constexpr char kListMethod[] = "/breach.v1.IncidentService/ListIncidents";
constexpr char kUpdateMethod[] = "/breach.v1.IncidentService/UpdateIncident";

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

// Every stage with its count (and cases), from the cases' progress rows.
absl::Status AddStages(eventstore::EventStore& store, const std::map<std::string, std::string>& cases,
                       bool with_schools, absl::Time now, breach::v1::IncidentStatus& status) {
  std::vector<breach::v1::IncidentStageGroup> stages;
  for (int stage = breach::v1::INCIDENT_STAGE_CASE_CREATED;
       stage <= breach::v1::INCIDENT_STAGE_OVERDUE; ++stage) {
    stages.emplace_back().set_stage(static_cast<breach::v1::IncidentStage>(stage));
  }
  for (const auto& [code, breach_id] : cases) {
    ASSIGN_OR_RETURN(auto progress, service::ReadRow<breach::v1::IncidentCaseProgress>(
                                        store, IncidentProgressKey(breach_id)));
    for (breach::v1::IncidentStage stage :
         StagesOf(progress.value_or(breach::v1::IncidentCaseProgress()), now)) {
      breach::v1::IncidentStageGroup& group = stages[stage - 1];
      group.set_count(group.count() + 1);
      if (with_schools) {
        breach::v1::IncidentCase* out = group.add_cases();
        out->set_school(code);
        out->set_breach_id(breach_id);
      }
    }
  }
  for (auto& group : stages) *status.add_stages() = std::move(group);
  return absl::OkStatus();
}

// The stripes of several breaches' locks, taken in their global order and released on scope exit.
class LockAll {
 public:
  LockAll(StripedMutex<>& locks, const std::vector<std::string>& keys)
      : held_(locks.StripesFor(keys)) {
    for (absl::Mutex* mutex : held_) mutex->Lock();
  }
  ~LockAll() {
    for (auto it = held_.rbegin(); it != held_.rend(); ++it) (*it)->Unlock();
  }

 private:
  std::vector<absl::Mutex*> held_;
};

absl::StatusOr<std::set<std::string>> KeysAfter(eventstore::EventStore& store,
                                                const std::string& prefix) {
  std::set<std::string> keys;
  RETURN_IF_ERROR(store.ScanProjection(prefix, "",
                                       [&](const std::string& key, const std::string&) {
                                         keys.insert(key.substr(prefix.size()));
                                         return true;
                                       }));
  return keys;
}

}  // namespace

FanOutWorker::FanOutWorker(eventstore::EventStore& store, StripedMutex<>& breach_locks,
                           const Clock& clock, std::function<void()> on_append,
                           privacy::FieldCipher& cipher, absl::Duration pause,
                           const bus::PartitionOwnership* ownership)
    : store_(store),
      breach_locks_(breach_locks),
      clock_(clock),
      on_append_(std::move(on_append)),
      cipher_(cipher),
      pause_(pause),
      ownership_(ownership) {}

FanOutWorker::~FanOutWorker() { Stop(); }

void FanOutWorker::Start() { thread_ = std::thread([this] { Loop(); }); }

void FanOutWorker::Poke() { wake_.Poke(); }

void FanOutWorker::Stop() {
  wake_.Stop();
  if (thread_.joinable()) thread_.join();
}

void FanOutWorker::Loop() {
  // Wakes on a poke, and every 5 s to retry a round that failed.
  while (wake_.WaitForWork(absl::Seconds(5))) {
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
    if (incident.updates() > 0) RETURN_IF_ERROR(CarryUpdates(incident.incident_id()));
  }
  return absl::OkStatus();
}

bool FanOutWorker::Stopping() { return wake_.stopped(); }

absl::Status FanOutWorker::CarryUpdates(const std::string& incident_id) {
  ASSIGN_OR_RETURN(std::vector<breach::v1::IncidentUpdate> updates,
                   service::ReadRows<breach::v1::IncidentUpdate>(
                       store_, IncidentUpdatePrefix(incident_id)));
  for (breach::v1::IncidentUpdate& update : updates) {  // in seq order: each on the last's result
    if (!update.done()) RETURN_IF_ERROR(CarryUpdate(incident_id, std::move(update)));
  }
  return absl::OkStatus();
}

absl::Status FanOutWorker::CarryUpdate(const std::string& incident_id,
                                       breach::v1::IncidentUpdate update) {
  cipher_.OpenPersonalData(update);  // its reason and facts go into every case
  ASSIGN_OR_RETURN(auto incident,
                   service::ReadRow<breach::v1::Incident>(store_, IncidentKey(incident_id)));
  if (!incident.has_value()) return absl::DataLossError(absl::StrCat("no row of incident ", incident_id));
  ASSIGN_OR_RETURN(auto cases, CasesOf(store_, incident_id));
  ASSIGN_OR_RETURN(std::set<std::string> done,
                   KeysAfter(store_, IncidentAmendedPrefix(incident_id, update.seq())));
  const std::vector<std::string> pending = PendingTargets(*incident, update, done);
  for (const std::string& code : pending) {
    // Its case is not open yet (a fan-out still running): the next round carries the update.
    if (cases.count(code) == 0) return absl::OkStatus();
  }
  const size_t resumed_after = done.size();
  size_t next = 0;
  do {  // at least once: an update with nothing pending still gets its row marked done
    if (Stopping()) return absl::OkStatus();  // the next start resumes
    const size_t end = std::min(pending.size(), next + kFanOutBatchSize);
    std::vector<std::string> lock_keys;
    for (size_t i = next; i < end; ++i) lock_keys.push_back(ReportKey(cases[pending[i]]));
    LockAll locked(breach_locks_, lock_keys);
    std::vector<CaseToAmend> chunk;
    for (size_t i = next; i < end; ++i) {
      CaseToAmend& c = chunk.emplace_back();
      c.school = pending[i];
      c.breach_id = cases[pending[i]];
      ASSIGN_OR_RETURN(c.report, FindReport(store_, c.breach_id));
      if (c.report.has_value()) cipher_.OpenPersonalData(*c.report);  // compared as it reads
      ASSIGN_OR_RETURN(c.version, store_.StreamVersion(c.breach_id));
    }
    ASSIGN_OR_RETURN(AmendmentBatch batch,
                     PlanAmendmentBatch(update, chunk, end == pending.size(), FanOutPrincipal(),
                                        clock_.Now(), &cipher_));
    if (batch.appends.empty()) {
      RETURN_IF_ERROR(store_.WriteProjection(batch.rows, /*sync=*/true));
    } else {
      auto& rows = batch.appends.front().projection;
      rows.insert(rows.end(), batch.rows.begin(), batch.rows.end());
      RETURN_IF_ERROR(store_.AppendAcrossStreams(std::move(batch.appends)).status());
      if (on_append_) on_append_();
    }
    update = std::move(batch.update);
    next = end;
    if (pause_ > absl::ZeroDuration() && next < pending.size()) absl::SleepFor(pause_);
  } while (next < pending.size());
  log::Info("incident update carried to its cases",
            {{"incident", incident_id},
             {"update", absl::StrCat(update.seq())},
             {"amended", absl::StrCat(update.cases_amended())},
             {"closed_cases", absl::StrCat(update.cases_closed())},
             {"resumed_after", absl::StrCat(resumed_after)}});
  return absl::OkStatus();
}

absl::Status FanOutWorker::FanOut(const breach::v1::Incident& incident) {
  ASSIGN_OR_RETURN(auto cases, CasesOf(store_, incident.incident_id()));
  std::set<std::string> done;
  for (const auto& [code, breach_id] : cases) done.insert(code);
  const absl::Time started = absl::Now();
  // Each case in a partition this instance holds (the same one on a resume: derived ids).
  absl::Status placing;
  auto place = [&](const std::string& incident_id, const std::string& code) {
    absl::StatusOr<std::string> id = service::PlaceId(
        ownership_, [&](int attempt) { return CaseBreachId(incident_id, code, attempt); });
    if (!id.ok()) placing = id.status();
    return id.value_or("");
  };
  breach::v1::Incident facts = incident;
  cipher_.OpenPersonalData(facts);  // each school's copy is sealed with its own key
  const size_t resumed_after = done.size();
  int created = static_cast<int>(done.size());
  while (true) {
    if (Stopping()) return absl::OkStatus();  // the next start resumes
    // One batch planned at a time: the next schools not done.
    ASSIGN_OR_RETURN(auto planned,
                     PlanFanOut(facts, done, FanOutPrincipal(), clock_.Now(), kFanOutBatchSize,
                                &cipher_, ownership_ == nullptr ? CasePlacement() : place,
                                /*max_batches=*/1));
    RETURN_IF_ERROR(placing);  // none served yet (starting): the next round tries again
    if (planned.empty()) break;
    std::vector<eventstore::AppendRequest>& batch = planned.front();
    created += static_cast<int>(batch.size());
    for (const eventstore::AppendRequest& append : batch) {
      done.insert(append.events.front().tenant());  // a case's tenant is its school
    }
    {
      // The incident row rides on the batch: rewritten from the row as it is now (an update
      // may have changed it since the plan), with the cases created once the batch is stored.
      absl::MutexLock row_lock(&incident_row_mu_);
      ASSIGN_OR_RETURN(auto current, service::ReadRow<breach::v1::Incident>(
                                         store_, IncidentKey(incident.incident_id())));
      if (current.has_value()) {
        current->set_cases_created(created);
        for (eventstore::ProjectionWrite& row : batch.front().projection) {
          if (row.key == IncidentKey(incident.incident_id())) row.value = current->SerializeAsString();
        }
      }
      RETURN_IF_ERROR(store_.AppendAcrossStreams(std::move(batch)).status());
    }
    if (on_append_) on_append_();
    if (pause_ > absl::ZeroDuration()) absl::SleepFor(pause_);
  }
  log::Info("incident fanned out", {{"incident", incident.incident_id()},
                                    {"schools", absl::StrCat(incident.schools_size())},
                                    {"resumed_after", absl::StrCat(resumed_after)},
                                    {"took", absl::FormatDuration(absl::Now() - started)}});
  return absl::OkStatus();
}

IncidentService::IncidentService(eventstore::EventStore& store,
                                 const auth::IdentityStore& identities, const Clock& clock,
                                 std::function<void()> on_append, FanOutWorker& worker,
                                 privacy::FieldCipher& cipher, service::Fellows fellows)
    : store_(store),
      clock_(clock),
      on_append_(std::move(on_append)),
      worker_(worker),
      cipher_(cipher),
      guard_(kServiceName, identities, store, clock, on_append_),
      ownership_(fellows.ownership),
      forwarder_(kServiceName, fellows.ownership, std::move(fellows.addresses),
                 std::move(fellows.credentials)) {}

std::string IncidentRouteKey(const breach::v1::CreateIncidentRequest& request) {
  if (request.request_id().empty()) return "";
  return RequestKey(auth::kProviderTenant, absl::StrCat("incident:", request.request_id()));
}

absl::StatusOr<breach::v1::Incident> IncidentService::Create(
    const auth::Principal& principal, const breach::v1::CreateIncidentRequest& request) {
  RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kManageIncidents, "", kCreateMethod));
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(CheckIncidentRequest(request, now));
  absl::MutexLock lock(&create_mutex_);
  const service::IdempotentRequest idempotent(IncidentRouteKey(request), request.request_id(),
                                              request, principal.subject);
  ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.EarlierResult(store_));
  if (earlier.has_value()) {
    ASSIGN_OR_RETURN(auto stored,
                     service::ReadRow<breach::v1::Incident>(store_, IncidentKey(*earlier)));
    if (stored.has_value()) return Opened(*std::move(stored));
  }
  ASSIGN_OR_RETURN(auto directory, LoadDirectory(store_));
  ASSIGN_OR_RETURN(std::vector<std::string> schools, SelectSchools(request.schools(), directory));

  // Several instances: an id in a partition this one holds, which also opens every case.
  ASSIGN_OR_RETURN(const std::string incident_id,
                   service::PlaceId(ownership_, [now](int) { return NewUlid(now); }));
  const breach::v1::Incident incident =
      NewIncident(request, incident_id, std::move(schools), principal, now);
  breach::v1::IncidentCreated created;
  *created.mutable_incident() = incident;
  RETURN_IF_ERROR(cipher_.SealPersonalData(created, auth::kProviderTenant));
  const std::string stream = IncidentStreamId(incident.incident_id());
  eventstore::AppendRequest append;
  append.stream_id = stream;
  append.expected_version = 0;
  append.events.push_back(service::MakeEvent({kServiceName, principal, request.request_id(), stream},
                                             auth::kProviderTenant, now, created));
  append.projection.push_back(
      {IncidentKey(incident.incident_id()), created.incident().SerializeAsString()});
  append.projection.push_back(idempotent.Remember(incident.incident_id()));
  RETURN_IF_ERROR(store_.Append(std::move(append)).status());
  if (on_append_) on_append_();
  worker_.Poke();
  log::Info("incident recorded", {{"incident", incident.incident_id()},
                                  {"schools", absl::StrCat(incident.schools_size())}});
  return incident;
}

absl::StatusOr<breach::v1::IncidentUpdate> IncidentService::Update(
    const auth::Principal& principal, const breach::v1::UpdateIncidentRequest& request) {
  RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kManageIncidents, "", kUpdateMethod));
  RETURN_IF_ERROR(CheckUpdateRequest(request));
  absl::MutexLock lock(&create_mutex_);
  const service::IdempotentRequest idempotent(
      RequestKey(auth::kProviderTenant, absl::StrCat("incident-update:", request.request_id())),
      request.request_id(), request, principal.subject);
  ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.EarlierResult(store_));
  if (earlier.has_value()) {  // "<incident id>/<seq>"
    const size_t slash = earlier->find('/');
    int seq = 0;
    if (slash != std::string::npos && absl::SimpleAtoi(earlier->substr(slash + 1), &seq)) {
      ASSIGN_OR_RETURN(auto stored,
                       service::ReadRow<breach::v1::IncidentUpdate>(
                           store_, IncidentUpdateKey(earlier->substr(0, slash), seq)));
      if (stored.has_value()) return Opened(*std::move(stored));
    }
  }
  absl::MutexLock row_lock(&worker_.incident_row_mutex());
  ASSIGN_OR_RETURN(auto incident, service::ReadRow<breach::v1::Incident>(
                                      store_, IncidentKey(request.incident_id())));
  if (!incident.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("incident_id: no incident ", request.incident_id()));
  }
  cipher_.OpenPersonalData(*incident);  // the update is planned on the facts as they read
  std::map<std::string, directory::School> directory;
  if (!request.add_schools().codes().empty() || !request.add_schools().service().empty()) {
    ASSIGN_OR_RETURN(directory, LoadDirectory(store_));
  }
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(RecordedUpdate recorded,
                   PlanUpdate(*incident, request, directory, principal, now));
  const breach::v1::IncidentUpdate& update = recorded.update;
  breach::v1::IncidentUpdated updated;
  *updated.mutable_update() = update;
  RETURN_IF_ERROR(cipher_.SealPersonalData(updated, auth::kProviderTenant));
  RETURN_IF_ERROR(cipher_.SealPersonalData(recorded.incident, auth::kProviderTenant));
  const std::string stream = IncidentStreamId(update.incident_id());
  eventstore::AppendRequest append;
  append.stream_id = stream;
  append.events.push_back(service::MakeEvent({kServiceName, principal, request.request_id(), stream},
                                             auth::kProviderTenant, now, updated));
  append.projection.push_back(
      {IncidentKey(update.incident_id()), recorded.incident.SerializeAsString()});
  append.projection.push_back({IncidentUpdateKey(update.incident_id(), update.seq()),
                               updated.update().SerializeAsString()});
  append.projection.push_back(
      idempotent.Remember(absl::StrCat(update.incident_id(), "/", update.seq())));
  RETURN_IF_ERROR(store_.Append(std::move(append)).status());
  if (on_append_) on_append_();
  worker_.Poke();
  log::Info("incident update recorded", {{"incident", update.incident_id()},
                                         {"update", absl::StrCat(update.seq())},
                                         {"added", absl::StrCat(update.added_size())},
                                         {"closes", update.closes() ? "yes" : "no"}});
  return update;
}

absl::StatusOr<breach::v1::IncidentStatus> IncidentService::Status(
    const breach::v1::GetIncidentRequest& request) {
  const std::string& incident_id = request.incident_id();
  const bool with_schools = request.with_schools();
  if (!IsUlid(incident_id)) return absl::InvalidArgumentError("incident_id is not an incident id");
  if (with_schools && request.summary_only()) {
    return absl::InvalidArgumentError(
        "summary_only: a summary lists no schools; ask for with_schools or summary_only, not both");
  }
  ASSIGN_OR_RETURN(auto incident,
                   service::ReadRow<breach::v1::Incident>(store_, IncidentKey(incident_id)));
  if (!incident.has_value()) return absl::NotFoundError(absl::StrCat("no incident ", incident_id));
  cipher_.OpenPersonalData(*incident);
  breach::v1::IncidentStatus status;
  status.set_schools(incident->schools_size());
  if (request.summary_only()) {
    // The incident row counts the cases created: the fan-out rewrites it in the same atomic
    // write as each batch of cases (and a resume counts the cases found done), so it is exact
    // after a crash or a restart without reading a case.
    status.set_cases_created(incident->cases_created());
    status.set_fan_out_complete(incident->cases_created() >= incident->schools_size());
    RETURN_IF_ERROR(AddUpdates(incident_id, status));
    incident->clear_schools();
    *status.mutable_incident() = *std::move(incident);
    return status;
  }
  ASSIGN_OR_RETURN(auto cases, CasesOf(store_, incident_id));
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
  RETURN_IF_ERROR(AddStages(store_, cases, with_schools, clock_.Now(), status));
  RETURN_IF_ERROR(AddUpdates(incident_id, status));
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

absl::Status IncidentService::AddUpdates(const std::string& incident_id,
                                         breach::v1::IncidentStatus& status) {
  ASSIGN_OR_RETURN(std::vector<breach::v1::IncidentUpdate> updates,
                   service::ReadRows<breach::v1::IncidentUpdate>(store_,
                                                                 IncidentUpdatePrefix(incident_id)));
  for (auto& update : updates) {
    update.clear_values();  // the facts say what changed
    *status.add_updates() = Opened(std::move(update));
  }
  return absl::OkStatus();
}

grpc::Status IncidentService::CreateIncident(grpc::ServerContext* context,
                                             const breach::v1::CreateIncidentRequest* request,
                                             breach::v1::Incident* response) {
  if (auto routed = forwarder_.Route(*context, IncidentRouteKey(*request),
                                     &Fellow::CreateIncident, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, Create(principal, *request));
    return absl::OkStatus();
  });
}

grpc::Status IncidentService::GetIncident(grpc::ServerContext* context,
                                          const breach::v1::GetIncidentRequest* request,
                                          breach::v1::IncidentStatus* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->incident_id()),
                                     &Fellow::GetIncident, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kManageIncidents, "", kGetMethod));
    ASSIGN_OR_RETURN(*response, Status(*request));
    return absl::OkStatus();
  });
}

grpc::Status IncidentService::UpdateIncident(grpc::ServerContext* context,
                                             const breach::v1::UpdateIncidentRequest* request,
                                             breach::v1::IncidentUpdate* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->incident_id()),
                                     &Fellow::UpdateIncident, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, Update(principal, *request));
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
    for (breach::v1::Incident& incident : incidents) {
      incident.clear_schools();
      incident = Opened(std::move(incident));
    }
    // An incident lives at the home of its request: a partitioned intake adds its fellows'.
    std::vector<breach::v1::ListIncidentsResponse> theirs;
    RETURN_IF_ERROR(service::FellowRouter::AllAnswered(
        forwarder_.Broadcast(*context, &breach::v1::IncidentService::StubInterface::ListIncidents,
                             *request, &theirs),
        "incidents were listed", "try again once they are back"));
    for (breach::v1::ListIncidentsResponse& fellow : theirs) {
      for (breach::v1::Incident& incident : *fellow.mutable_incidents()) {
        incidents.push_back(std::move(incident));
      }
    }
    // Newest first: ids are ULIDs, ordered by their time.
    std::sort(incidents.begin(), incidents.end(), [](const auto& a, const auto& b) {
      return a.incident_id() > b.incident_id();
    });
    for (breach::v1::Incident& incident : incidents) {
      *response->add_incidents() = std::move(incident);
    }
    return absl::OkStatus();
  });
}

}  // namespace breachd::intake
