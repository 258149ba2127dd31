#include "libs/service/admin_service.h"

#include "absl/strings/str_cat.h"
#include "libs/common/ids.h"
#include "libs/common/status_macros.h"

namespace breachd::service {
namespace {
constexpr char kVerifyMethod[] = "/breach.v1.AdminService/VerifyChains";
constexpr char kDeliveryMethod[] = "/breach.v1.AdminService/GetDeliveryStatus";
}  // namespace

AdminService::AdminService(const std::map<std::string, HostedStore>& stores,
                           const auth::IdentityStore& identities, const Clock& clock) {
  for (const auto& [name, hosted] : stores) {
    stores_[name] = Guarded{hosted.store, std::make_unique<RpcGuard>(name, identities, *hosted.store,
                                                                     clock, hosted.on_append)};
  }
}

grpc::Status AdminService::VerifyChains(grpc::ServerContext* context,
                                        const breach::v1::VerifyChainsRequest* request,
                                        breach::v1::VerifyChainsResponse* response) {
  return AnyGuard().Serve(*context, [&](const auth::Principal& principal) {
    return Verify(principal, request->breach_id(), response);
  });
}

grpc::Status AdminService::WhoAmI(grpc::ServerContext* context, const breach::v1::WhoAmIRequest*,
                                  breach::v1::WhoAmIResponse* response) {
  return AnyGuard().Serve(*context, [&](const auth::Principal& principal) {
    response->set_subject(principal.subject);
    response->set_tenant(principal.tenant);
    for (const std::string& role : principal.roles) response->add_roles(role);
    return absl::OkStatus();
  });
}

grpc::Status AdminService::GetDeliveryStatus(grpc::ServerContext* context,
                                             const breach::v1::GetDeliveryStatusRequest*,
                                             breach::v1::GetDeliveryStatusResponse* response) {
  return AnyGuard().Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(
        AnyGuard().Authorize(principal, auth::Action::kReadDeliveryStatus, "", kDeliveryMethod));
    return delivery_status_ ? delivery_status_(response) : absl::OkStatus();
  });
}

absl::Status AdminService::AuthorizeVerify(const auth::Principal& principal,
                                           const std::string& breach_id) {
  if (breach_id.empty()) {
    // Every store would be read: each records the refusal on its own audit stream.
    absl::Status decision;
    for (const auto& [name, hosted] : stores_) {
      decision = hosted.guard->Authorize(principal, auth::Action::kVerifyStore, "", kVerifyMethod);
      if (decision.ok()) return decision;
    }
    return decision;
  }
  if (!IsUlid(breach_id)) return absl::InvalidArgumentError("breach_id is not a breach id");
  const absl::Status no_breach = absl::NotFoundError(absl::StrCat("no breach ", breach_id));
  ASSIGN_OR_RETURN(Owner owner, OwnerOf(breach_id));
  if (owner.guard == nullptr) return no_breach;
  return owner.guard->AuthorizeBreach(principal, auth::Action::kVerifyBreach, owner.tenant,
                                      kVerifyMethod, breach_id, no_breach);
}

absl::Status AdminService::Verify(const auth::Principal& principal, const std::string& breach_id,
                                  breach::v1::VerifyChainsResponse* response) {
  RETURN_IF_ERROR(AuthorizeVerify(principal, breach_id));
  response->set_ok(true);
  for (const auto& [name, hosted] : stores_) {
    ASSIGN_OR_RETURN(eventstore::VerifyReport report, hosted.store->Verify(breach_id));
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

absl::StatusOr<AdminService::Owner> AdminService::OwnerOf(const std::string& breach_id) {
  for (const auto& [name, hosted] : stores_) {
    ASSIGN_OR_RETURN(std::vector<eventstore::EventEnvelope> events,
                     hosted.store->ReadStream(breach_id));
    if (!events.empty()) return Owner{events.front().tenant(), hosted.guard.get()};
  }
  return Owner{};
}

}  // namespace breachd::service
