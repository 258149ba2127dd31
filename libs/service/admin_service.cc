#include "libs/service/admin_service.h"

#include "absl/strings/str_cat.h"
#include "libs/common/ids.h"
#include "libs/common/status_macros.h"

namespace breachd::service {
namespace {
constexpr char kVerifyMethod[] = "/breach.v1.AdminService/VerifyChains";
constexpr char kDeliveryMethod[] = "/breach.v1.AdminService/GetDeliveryStatus";
}  // namespace

AdminService::AdminService(std::map<std::string, eventstore::EventStore*> stores,
                           const RpcGuard& guard)
    : stores_(std::move(stores)), guard_(guard) {}

grpc::Status AdminService::VerifyChains(grpc::ServerContext* context,
                                        const breach::v1::VerifyChainsRequest* request,
                                        breach::v1::VerifyChainsResponse* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) {
    return Verify(principal, request->breach_id(), response);
  });
}

grpc::Status AdminService::WhoAmI(grpc::ServerContext* context, const breach::v1::WhoAmIRequest*,
                                  breach::v1::WhoAmIResponse* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) {
    response->set_subject(principal.subject);
    response->set_tenant(principal.tenant);
    for (const std::string& role : principal.roles) response->add_roles(role);
    return absl::OkStatus();
  });
}

grpc::Status AdminService::GetDeliveryStatus(grpc::ServerContext* context,
                                             const breach::v1::GetDeliveryStatusRequest*,
                                             breach::v1::GetDeliveryStatusResponse* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(
        guard_.Authorize(principal, auth::Action::kReadDeliveryStatus, "", kDeliveryMethod));
    return delivery_status_ ? delivery_status_(response) : absl::OkStatus();
  });
}

absl::Status AdminService::Verify(const auth::Principal& principal, const std::string& breach_id,
                                  breach::v1::VerifyChainsResponse* response) {
  if (breach_id.empty()) {
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kVerifyStore, "", kVerifyMethod));
  } else {
    if (!IsUlid(breach_id)) return absl::InvalidArgumentError("breach_id is not a breach id");
    ASSIGN_OR_RETURN(std::string tenant, TenantOf(breach_id));
    if (tenant.empty()) return absl::NotFoundError(absl::StrCat("no breach ", breach_id));
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kVerifyBreach, tenant,
                                     kVerifyMethod, breach_id));
  }
  response->set_ok(true);
  for (const auto& [name, store] : stores_) {
    ASSIGN_OR_RETURN(eventstore::VerifyReport report, store->Verify(breach_id));
    breach::v1::StoreVerification* out = response->add_stores();
    out->set_service(name);
    out->set_ok(report.ok);
    out->set_streams_checked(report.streams_checked);
    out->set_events_checked(report.events_checked);
    out->set_first_bad_stream(report.first_bad_stream);
    out->set_first_bad_version(report.first_bad_version);
    out->set_first_bad_event_id(report.first_bad_event_id);
    out->set_problem(report.problem);
    if (!report.ok) response->set_ok(false);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> AdminService::TenantOf(const std::string& breach_id) {
  for (const auto& [name, store] : stores_) {
    ASSIGN_OR_RETURN(std::vector<eventstore::EventEnvelope> events, store->ReadStream(breach_id));
    if (!events.empty()) return events.front().tenant();
  }
  return std::string();
}

}  // namespace breachd::service
