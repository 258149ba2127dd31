#include "services/intake/intake_service.h"

#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "libs/common/ids.h"
#include "libs/common/status_macros.h"
#include "libs/service/event_factory.h"
#include "libs/service/idempotency.h"
#include "services/intake/intake_schema.h"
#include "services/intake/report_filing.h"
#include "services/intake/report_validation.h"

namespace breachd::intake {
namespace {

using breach::v1::Report;

constexpr char kReportMethod[] = "/breach.v1.IntakeService/ReportBreach";
constexpr char kGetMethod[] = "/breach.v1.IntakeService/GetReport";

}  // namespace

IntakeService::IntakeService(eventstore::EventStore& store,
                             const auth::IdentityStore& identities, const Clock& clock,
                             std::function<void()> on_append)
    : store_(store),
      identities_(identities),
      clock_(clock),
      on_append_(on_append),
      guard_(kServiceName, identities, store, clock, on_append) {}

grpc::Status IntakeService::ReportBreach(grpc::ServerContext* context,
                                         const breach::v1::ReportBreachRequest* request,
                                         Report* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, File(principal, *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeService::GetReport(grpc::ServerContext* context,
                                      const breach::v1::GetReportRequest* request,
                                      Report* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, Read(principal, request->breach_id()));
    return absl::OkStatus();
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
  const service::IdempotentRequest idempotent(RequestKey(form.tenant(), request.request_id()),
                                              request.request_id(), request, principal.subject);
  absl::MutexLock lock(&request_locks_.For(idempotent.row_key()));
  ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.EarlierResult(store_));
  if (earlier.has_value()) {
    ASSIGN_OR_RETURN(std::optional<Report> stored, FindReport(store_, *earlier));
    if (stored.has_value()) return *stored;
  }

  Report report = FileReport(request, principal, now, NewUlid(now));
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
  return report;
}

absl::StatusOr<Report> IntakeService::Read(const auth::Principal& principal,
                                           const std::string& breach_id) {
  if (!IsUlid(breach_id)) return absl::InvalidArgumentError("breach_id is not a breach id");
  const absl::Status no_breach = absl::NotFoundError(absl::StrCat("no breach ", breach_id));
  ASSIGN_OR_RETURN(std::optional<Report> report, FindReport(store_, breach_id));
  if (!report.has_value()) return no_breach;
  RETURN_IF_ERROR(guard_.AuthorizeBreach(principal, auth::Action::kReadReport,
                                         report->report().tenant(), kGetMethod, breach_id,
                                         no_breach));
  // Who read the report, and when, is part of the breach's history.
  breach::v1::BreachViewed viewed;
  viewed.set_breach_id(breach_id);
  viewed.set_view("report");
  eventstore::AppendRequest append;
  append.stream_id = breach_id;
  append.events.push_back(service::MakeEvent({kServiceName, principal, kGetMethod, breach_id},
                                             report->report().tenant(), clock_.Now(), viewed));
  RETURN_IF_ERROR(store_.Append(std::move(append)).status());
  if (on_append_) on_append_();
  return *std::move(report);
}

}  // namespace breachd::intake
