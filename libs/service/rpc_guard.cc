#include "libs/service/rpc_guard.h"

#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "libs/common/log.h"
#include "libs/grpcutil/call_auth.h"
#include "libs/service/event_factory.h"

namespace breachd::service {

std::string AuditStreamId(const std::string& tenant) { return absl::StrCat("audit-", tenant); }

RpcGuard::RpcGuard(std::string service_name, const auth::IdentityStore& identities,
                   eventstore::EventStore& store, const Clock& clock,
                   std::function<void()> on_append, RefusalLimiter& limiter)
    : service_name_(std::move(service_name)),
      identities_(identities),
      store_(store),
      clock_(clock),
      on_append_(std::move(on_append)),
      limiter_(limiter) {}

absl::StatusOr<auth::Principal> RpcGuard::Authenticate(const grpc::ServerContext& context) const {
  absl::StatusOr<auth::Principal> principal = grpcutil::AuthenticateCall(identities_, context);
  if (!principal.ok()) {
    // Only calls without a valid token count against their address: a caller with a valid
    // token is never held back by others sharing its address (a NAT, the same host).
    const std::string peer = PeerKey(context.peer());
    absl::Status allowed = limiter_.CheckAllowed(peer);
    limiter_.RecordRefusal(peer);
    bool recorded = false;
    if (allowed.ok()) {
      // The reason is fixed: the refusal's own text may quote the token's header (kid, iss),
      // which is the client's free text; the log below has it.
      breach::v1::AccessDenied denied;
      denied.set_reason("authentication: bearer token missing, unknown, expired or forged");
      recorded = RecordRefusal({peer, auth::kProviderTenant, {}}, auth::kProviderTenant, "",
                               denied);
    }
    log::Warn(allowed.ok() ? "authentication refused" : "call refused: rate limited",
              {{"peer", peer},
               {"service", service_name_},
               {"reason", std::string(principal.status().message())},
               {"recorded", recorded ? "true" : "false"}});
    return allowed.ok() ? principal.status() : allowed;
  }
  if (absl::Status allowed = limiter_.CheckAllowed(SubjectKey(principal->subject));
      !allowed.ok()) {
    log::Warn("call refused: rate limited", {{"subject", principal->subject},
                                             {"peer", context.peer()},
                                             {"service", service_name_}});
    return allowed;
  }
  return principal;
}

absl::Status RpcGuard::Authorize(const auth::Principal& principal, auth::Action action,
                                 const std::string& tenant, const std::string& method,
                                 const std::string& breach_id) const {
  absl::Status decision = auth::Authorize(principal, action, tenant);
  if (decision.ok()) return decision;

  breach::v1::AccessDenied denied;
  denied.set_method(method);
  denied.set_requested_tenant(tenant);
  denied.set_breach_id(breach_id);
  denied.set_reason(std::string(decision.message()));
  const bool recorded = RecordRefusal(principal, principal.tenant, method, denied);
  log::Warn("access denied", {{"subject", principal.subject},
                              {"tenant", principal.tenant},
                              {"requested_tenant", tenant},
                              {"method", method},
                              {"recorded", recorded ? "true" : "false"}});
  limiter_.RecordRefusal(SubjectKey(principal.subject));
  return decision;
}

bool RpcGuard::RecordRefusal(const auth::Principal& actor, const std::string& tenant,
                             const std::string& method,
                             const breach::v1::AccessDenied& denied) const {
  eventstore::AppendRequest request;
  request.stream_id = AuditStreamId(tenant);
  request.events.push_back(
      MakeEvent({service_name_, actor, method, ""}, tenant, clock_.Now(), denied));
  if (!store_.Append(std::move(request)).ok()) return false;
  if (on_append_) on_append_();
  return true;
}

absl::Status RpcGuard::AuthorizeBreach(const auth::Principal& principal, auth::Action action,
                                       const std::string& tenant, const std::string& method,
                                       const std::string& breach_id,
                                       const absl::Status& not_found) const {
  absl::Status decision = Authorize(principal, action, tenant, method, breach_id);
  if (decision.ok() || principal.tenant == tenant) return decision;
  return not_found;
}

}  // namespace breachd::service
