#include "services/intake/intake_service.h"

#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "libs/common/ids.h"
#include "libs/common/status_macros.h"
#include "libs/service/event_factory.h"
#include "libs/service/idempotency.h"
#include "libs/service/read_recorder.h"
#include "services/intake/breach_changes.h"
#include "services/intake/intake_schema.h"
#include "services/intake/report_filing.h"
#include "services/intake/report_validation.h"

namespace breachd::intake {
namespace {

using breach::v1::Report;

constexpr char kReportMethod[] = "/breach.v1.IntakeService/ReportBreach";
constexpr char kGetMethod[] = "/breach.v1.IntakeService/GetReport";
constexpr char kTriageMethod[] = "/breach.v1.IntakeService/Triage";
constexpr char kAmendMethod[] = "/breach.v1.IntakeService/AmendReport";
constexpr char kAddActionMethod[] = "/breach.v1.IntakeService/AddAction";
constexpr char kListActionsMethod[] = "/breach.v1.IntakeService/ListActions";
constexpr char kCloseMethod[] = "/breach.v1.IntakeService/CloseBreach";
constexpr char kReopenMethod[] = "/breach.v1.IntakeService/ReopenBreach";

// The lock stripe of a breach's changes and reads (one key space with request ids).
std::string BreachLockKey(const std::string& breach_id) { return ReportKey(breach_id); }

}  // namespace

IntakeService::IntakeService(eventstore::EventStore& store,
                             const auth::IdentityStore& identities, const Clock& clock,
                             std::function<void()> on_append, StripedMutex<>& breach_locks,
                             privacy::FieldCipher& cipher, service::Fellows fellows)
    : store_(store),
      cipher_(cipher),
      identities_(identities),
      clock_(clock),
      on_append_(on_append),
      guard_(kServiceName, identities, store, clock, on_append),
      gate_(store, clock),
      breach_locks_(breach_locks),
      ownership_(fellows.ownership),
      forwarder_(kServiceName, fellows.ownership, std::move(fellows.addresses),
                 std::move(fellows.credentials)) {}

std::string ReportRouteKey(const breach::v1::ReportBreachRequest& request) {
  if (request.report().tenant().empty() || request.request_id().empty()) return "";
  return RequestKey(request.report().tenant(), request.request_id());
}

grpc::Status IntakeService::ReportBreach(grpc::ServerContext* context,
                                         const breach::v1::ReportBreachRequest* request,
                                         Report* response) {
  if (auto routed = forwarder_.Route(*context, ReportRouteKey(*request),
                                     &Fellow::ReportBreach, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, File(principal, *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeService::GetReport(grpc::ServerContext* context,
                                      const breach::v1::GetReportRequest* request,
                                      Report* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->breach_id()),
                                     &Fellow::GetReport, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, Read(principal, request->breach_id()));
    return Redact(principal, *response);
  });
}

absl::StatusOr<Report> IntakeService::File(const auth::Principal& principal,
                                           const breach::v1::ReportBreachRequest& request) {
  RETURN_IF_ERROR(CheckReportRequest(request));
  const breach::v1::BreachReport& form = request.report();
  RETURN_IF_ERROR(
      guard_.Authorize(principal, auth::Action::kReportBreach, form.tenant(), kReportMethod));
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(ValidateReport(form, now, [this](const std::string& tenant) {
    return identities_.IsKnownTenant(tenant);
  }));

  // A retry (same tenant, request id, body and principal) gets the first report back and files
  // nothing; the id reused for anything else is ALREADY_EXISTS.
  const service::IdempotentRequest idempotent(ReportRouteKey(request), request.request_id(),
                                              request, principal.subject);
  absl::MutexLock lock(&request_locks_.For(idempotent.row_key()));
  ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.EarlierResult(store_));
  if (earlier.has_value()) {
    ASSIGN_OR_RETURN(std::optional<Report> stored, FindReport(store_, *earlier));
    if (stored.has_value()) return Opened(*std::move(stored));
  }
  if (cipher_.IsErased(form.tenant())) {
    return absl::FailedPreconditionError(
        absl::StrCat("school ", form.tenant(), " was erased (tenant erase): it files nothing"));
  }

  // Event and row carry the personal fields sealed with the school's key (docs/security.md).
  // Several instances: an id in a partition this one holds (docs/scaling.md).
  ASSIGN_OR_RETURN(const std::string breach_id,
                   service::PlaceId(ownership_, [now](int) { return NewUlid(now); }));
  Report report = FileReport(request, principal, now, breach_id);
  RETURN_IF_ERROR(cipher_.SealPersonalData(report, form.tenant()));
  const breach::v1::BreachReported reported = ReportedEvent(report);
  const service::EventOrigin origin{kServiceName, principal, request.request_id(),
                                    report.breach_id()};
  eventstore::AppendRequest append;
  append.stream_id = report.breach_id();
  append.expected_version = 0;
  append.events.push_back(service::MakeEvent(origin, form.tenant(), now, reported));
  append.projection.push_back({ReportKey(report.breach_id()), report.SerializeAsString()});
  append.projection.push_back(idempotent.Remember(report.breach_id()));
  ASSIGN_OR_RETURN(eventstore::AppendResult result, store_.Append(std::move(append)));
  *report.mutable_recorded_at() = result.events.front().recorded_at();
  if (on_append_) on_append_();
  return Opened(std::move(report));
}

absl::StatusOr<Report> IntakeService::Read(const auth::Principal& principal,
                                           const std::string& breach_id) {
  ASSIGN_OR_RETURN(Report report,
                   FindAuthorized(principal, breach_id, auth::Action::kReadReport, kGetMethod));
  // Who read the report, and when, is part of the breach's history.
  breach::v1::BreachViewed viewed;
  viewed.set_breach_id(breach_id);
  viewed.set_view("report");
  ASSIGN_OR_RETURN(breach::v1::EventEnvelope read,
                   service::MakeReadRecord({kServiceName, principal, kGetMethod, breach_id},
                                           report.report().tenant(), clock_.Now(), viewed,
                                           cipher_));
  eventstore::AppendRequest append;
  append.stream_id = breach_id;
  append.events.push_back(std::move(read));
  {
    absl::MutexLock lock(&breach_locks_.For(BreachLockKey(breach_id)));
    RETURN_IF_ERROR(store_.Append(std::move(append)).status());
  }
  if (on_append_) on_append_();
  return Opened(std::move(report));
}

absl::Status IntakeService::Redact(const auth::Principal& principal, Report& report) const {
  return gate_.Apply(principal, report.report().tenant(), report.breach_id(), report);
}

absl::StatusOr<Report> IntakeService::FindAuthorized(const auth::Principal& principal,
                                                     const std::string& breach_id,
                                                     auth::Action action,
                                                     const std::string& method) {
  if (!IsUlid(breach_id)) return absl::InvalidArgumentError("breach_id is not a breach id");
  const absl::Status no_breach = absl::NotFoundError(absl::StrCat("no breach ", breach_id));
  ASSIGN_OR_RETURN(std::optional<Report> report, FindReport(store_, breach_id));
  if (!report.has_value()) return no_breach;
  RETURN_IF_ERROR(guard_.AuthorizeBreach(principal, action, report->report().tenant(), method,
                                         breach_id, no_breach));
  return *std::move(report);
}

grpc::Status IntakeService::Triage(grpc::ServerContext* context,
                                   const breach::v1::TriageRequest* request, Report* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->breach_id()),
                                     &Fellow::Triage, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(
        *response,
        ChangeBreach(principal, request->breach_id(), auth::Action::kTriageBreach, kTriageMethod,
                     request->expected_revision(), kTriageMethod,
                     [&](Report& report, absl::Time now) -> absl::StatusOr<Change> {
                       ASSIGN_OR_RETURN(breach::v1::BreachTriaged triaged,
                                        DecideTriage(report, *request, principal, now));
                       ApplyTriage(triaged, report);
                       return Change{std::make_unique<breach::v1::BreachTriaged>(triaged), {}};
                     }));
    return Redact(principal, *response);
  });
}

grpc::Status IntakeService::AmendReport(grpc::ServerContext* context,
                                        const breach::v1::AmendReportRequest* request,
                                        Report* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->breach_id()),
                                     &Fellow::AmendReport, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(
        *response,
        ChangeBreach(principal, request->breach_id(), auth::Action::kAmendReport, kAmendMethod,
                     request->expected_revision(), kAmendMethod,
                     [&](Report& report, absl::Time now) -> absl::StatusOr<Change> {
                       ASSIGN_OR_RETURN(breach::v1::ReportAmended amended,
                                        DecideAmendment(report, *request, principal, now,
                                                        [this](const std::string& tenant) {
                                                          return identities_.IsKnownTenant(tenant);
                                                        }));
                       ApplyAmendment(amended, report);
                       return Change{std::make_unique<breach::v1::ReportAmended>(amended), {}};
                     }));
    return Redact(principal, *response);
  });
}

grpc::Status IntakeService::AddAction(grpc::ServerContext* context,
                                      const breach::v1::AddActionRequest* request,
                                      breach::v1::ContainmentAction* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->breach_id()),
                                     &Fellow::AddAction, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, RecordAction(principal, *request));
    return absl::OkStatus();
  });
}

absl::StatusOr<breach::v1::ContainmentAction> IntakeService::RecordAction(
    const auth::Principal& principal, const breach::v1::AddActionRequest& request) {
  RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  ASSIGN_OR_RETURN(Report found, FindAuthorized(principal, request.breach_id(),
                                                auth::Action::kRecordContainment,
                                                kAddActionMethod));
  // A retry gets the first action back; the id reused for anything else is ALREADY_EXISTS.
  const std::string tenant = found.report().tenant();
  const service::IdempotentRequest idempotent(RequestKey(tenant, request.request_id()),
                                              request.request_id(), request, principal.subject);
  absl::MutexLock request_lock(&request_locks_.For(idempotent.row_key()));
  ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.EarlierResult(store_));
  if (earlier.has_value()) {
    ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                     store_.GetProjection(ActionKey(request.breach_id(), *earlier)));
    breach::v1::ContainmentAction action;
    if (bytes.has_value() && action.ParseFromString(*bytes)) return Opened(std::move(action));
  }
  breach::v1::ContainmentAction recorded_action;
  RETURN_IF_ERROR(
      ChangeBreach(principal, request.breach_id(), auth::Action::kRecordContainment,
                   kAddActionMethod, request.expected_revision(), request.request_id(),
                   [&](Report& report, absl::Time now) -> absl::StatusOr<Change> {
                     ASSIGN_OR_RETURN(breach::v1::ContainmentActionRecorded recorded,
                                      DecideAction(report, request, principal, now, NewUlid(now)));
                     RETURN_IF_ERROR(cipher_.SealPersonalData(recorded, tenant));
                     ApplyAction(recorded, report);
                     recorded_action = recorded.action();
                     const std::string& action_id = recorded_action.action_id();
                     return Change{
                         std::make_unique<breach::v1::ContainmentActionRecorded>(recorded),
                         {{ActionKey(report.breach_id(), action_id),
                           recorded_action.SerializeAsString()},
                          idempotent.Remember(action_id)}};
                   })
          .status());
  return Opened(std::move(recorded_action));
}

grpc::Status IntakeService::ListActions(grpc::ServerContext* context,
                                        const breach::v1::ListActionsRequest* request,
                                        breach::v1::ListActionsResponse* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->breach_id()),
                                     &Fellow::ListActions, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(Report report, FindAuthorized(principal, request->breach_id(),
                                                   auth::Action::kReadContainment,
                                                   kListActionsMethod));
    ASSIGN_OR_RETURN(std::vector<breach::v1::ContainmentAction> actions,
                     intake::ListActions(store_, request->breach_id()));
    for (auto& action : actions) *response->add_actions() = Opened(std::move(action));
    return gate_.Apply(principal, report.report().tenant(), report.breach_id(), *response);
  });
}

grpc::Status IntakeService::CloseBreach(grpc::ServerContext* context,
                                        const breach::v1::CloseBreachRequest* request,
                                        Report* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->breach_id()),
                                     &Fellow::CloseBreach, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, CloseOrReopen<breach::v1::BreachClosed>(
                                    principal, request->breach_id(), request->reason(),
                                    request->expected_revision(), lifecycle::Command::kClose,
                                    kCloseMethod));
    return Redact(principal, *response);
  });
}

grpc::Status IntakeService::ReopenBreach(grpc::ServerContext* context,
                                         const breach::v1::ReopenBreachRequest* request,
                                         Report* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->breach_id()),
                                     &Fellow::ReopenBreach, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, CloseOrReopen<breach::v1::BreachReopened>(
                                    principal, request->breach_id(), request->reason(),
                                    request->expected_revision(), lifecycle::Command::kReopen,
                                    kReopenMethod));
    return Redact(principal, *response);
  });
}

template <typename Event>
absl::StatusOr<Report> IntakeService::CloseOrReopen(const auth::Principal& principal,
                                                    const std::string& breach_id,
                                                    const std::string& reason,
                                                    uint64_t expected_revision,
                                                    lifecycle::Command command,
                                                    const std::string& method) {
  return ChangeBreach(principal, breach_id, auth::Action::kDecideBreach, method,
                      expected_revision, method,
                      [&](Report& report, absl::Time) -> absl::StatusOr<Change> {
                        ASSIGN_OR_RETURN(report, DecideClosing(report, command, reason));
                        auto event = std::make_unique<Event>();
                        event->set_breach_id(breach_id);
                        event->set_reason(reason);
                        return Change{std::move(event), {}};
                      });
}

absl::StatusOr<Report> IntakeService::ChangeBreach(const auth::Principal& principal,
                                                   const std::string& breach_id,
                                                   auth::Action action,
                                                   const std::string& method,
                                                   uint64_t expected_revision,
                                                   const std::string& causation_id,
                                                   const Decider& decide) {
  ASSIGN_OR_RETURN(Report report, FindAuthorized(principal, breach_id, action, method));
  absl::MutexLock lock(&breach_locks_.For(BreachLockKey(breach_id)));
  // Again under the lock: the report may have changed since the unlocked read above.
  ASSIGN_OR_RETURN(std::optional<Report> current, FindReport(store_, breach_id));
  if (current.has_value()) report = *std::move(current);
  // The decision sees the report as it reads (limits count the text, not its ciphertext).
  cipher_.OpenPersonalData(report);
  RETURN_IF_ERROR(CheckRevision(report, expected_revision));
  ASSIGN_OR_RETURN(const uint64_t version, store_.StreamVersion(breach_id));
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(Change change, decide(report, now));
  // Sealed again, with what the decision wrote (an amendment's values), before it is stored.
  const std::string tenant = report.report().tenant();
  RETURN_IF_ERROR(cipher_.SealPersonalData(*change.event, tenant));
  RETURN_IF_ERROR(cipher_.SealPersonalData(report, tenant));

  eventstore::AppendRequest append;
  append.stream_id = breach_id;
  append.expected_version = version;  // ABORTED if another writer got in between
  append.events.push_back(service::MakeEvent({kServiceName, principal, causation_id, breach_id},
                                             report.report().tenant(), now, *change.event));
  append.projection = std::move(change.rows);
  append.projection.push_back({ReportKey(breach_id), report.SerializeAsString()});
  RETURN_IF_ERROR(store_.Append(std::move(append)).status());
  if (on_append_) on_append_();
  return Opened(std::move(report));
}

}  // namespace breachd::intake
