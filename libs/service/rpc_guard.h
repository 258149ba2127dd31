// The front door of every RPC: authenticate the caller, authorize the action against the
// tenant whose data it touches, and record every refusal as an AccessDenied event on the
// service's "audit" stream (so the SIEM and an inspection see attempts, not just successes): an
// authorization refusal on the caller's tenant's, a token that does not authenticate on
// "audit-provider" with the caller's address as the actor (recorded while that address is not
// rate-limited, so an unauthenticated caller cannot fill the store).
// Repeated refusals are rate-limited (refusal_limiter.h): per subject for authorization, per
// peer address for tokens that do not authenticate; a limited call is RESOURCE_EXHAUSTED with
// the wait, and logged like every refusal.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "breach/v1/events.pb.h"
#include "grpcpp/server_context.h"
#include "libs/auth/authorizer.h"
#include "libs/auth/identity_store.h"
#include "libs/common/clock.h"
#include "libs/eventstore/event_store.h"
#include "libs/grpcutil/status.h"
#include "libs/service/refusal_limiter.h"

namespace breachd::service {

class RpcGuard {
 public:
  // `store` receives AccessDenied events; `on_append` is called after each (to wake the relay).
  RpcGuard(std::string service_name, const auth::IdentityStore& identities,
           eventstore::EventStore& store, const Clock& clock, std::function<void()> on_append,
           RefusalLimiter& limiter = ProcessRefusalLimiter());

  // The caller's principal; UNAUTHENTICATED (logged) when its token does not authenticate, or
  // RESOURCE_EXHAUSTED instead when its peer address has sent too many such calls, or when its
  // subject has been refused authorization too often.
  absl::StatusOr<auth::Principal> Authenticate(const grpc::ServerContext& context) const;

  // The body of every RPC: authenticates the caller, runs `call(principal)` (returning
  // absl::Status) and maps the outcome to a gRPC status.
  template <typename Call>
  grpc::Status Serve(const grpc::ServerContext& context, Call call) const {
    absl::StatusOr<auth::Principal> principal = Authenticate(context);
    if (!principal.ok()) return grpcutil::ToGrpcStatus(principal.status());
    return grpcutil::ToGrpcStatus(call(*principal));
  }

  // OK, or PERMISSION_DENIED after recording the attempt (which counts against the subject's
  // refusal limit).
  absl::Status Authorize(const auth::Principal& principal, auth::Action action,
                         const std::string& tenant, const std::string& method,
                         const std::string& breach_id = "") const;

  // Authorize for reading one breach found by id. A refusal is recorded like any other, but a
  // principal of another school is answered `not_found` (the caller's answer for an unknown id),
  // so nobody learns that another school's breach exists (AIP-211).
  absl::Status AuthorizeBreach(const auth::Principal& principal, auth::Action action,
                               const std::string& tenant, const std::string& method,
                               const std::string& breach_id,
                               const absl::Status& not_found) const;

  const std::string& service_name() const { return service_name_; }

 private:
  // Appends `denied` as `actor`'s AccessDenied on `tenant`'s audit stream; whether it was.
  bool RecordRefusal(const auth::Principal& actor, const std::string& tenant,
                     const std::string& method, const breach::v1::AccessDenied& denied) const;

  std::string service_name_;
  const auth::IdentityStore& identities_;
  eventstore::EventStore& store_;
  const Clock& clock_;
  std::function<void()> on_append_;
  RefusalLimiter& limiter_;
};

// Stream that holds the access record of one tenant in a service: AccessDenied refusals and
// reads that span breaches (BreachesListed).
std::string AuditStreamId(const std::string& tenant);

}  // namespace breachd::service
