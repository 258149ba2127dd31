// gRPC adapter of the provider's access to a school's personal data (hosted by the intake
// module, on the breach's stream): the school's grant and its revocation, and the incident
// manager's break-glass access. The rules are in libs/service/provider_access.h; every service
// learns the events from the bus and applies them at its read boundary (personal_data.h).
#pragma once

#include <functional>
#include <string>

#include "breach/v1/access.grpc.pb.h"
#include "libs/auth/identity_store.h"
#include "libs/common/clock.h"
#include "libs/common/striped_mutex.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/fellow_forwarder.h"
#include "libs/service/rpc_guard.h"

namespace breachd::intake {

class AccessService final : public breach::v1::AccessService::Service {
 public:
  // `breach_locks` is the intake's: an access event and a change of the report never interleave.
  // `fellows`: the other intake instances, home of the breaches this one does not hold.
  AccessService(eventstore::EventStore& store, const auth::IdentityStore& identities,
                const Clock& clock, std::function<void()> on_append,
                StripedMutex<>& breach_locks, service::Fellows fellows = {});

  grpc::Status GrantProviderAccess(grpc::ServerContext* context,
                                   const breach::v1::GrantProviderAccessRequest* request,
                                   breach::v1::ProviderAccessResponse* response) override;
  grpc::Status RevokeProviderAccess(grpc::ServerContext* context,
                                    const breach::v1::RevokeProviderAccessRequest* request,
                                    breach::v1::ProviderAccessResponse* response) override;
  grpc::Status BreakGlass(grpc::ServerContext* context,
                          const breach::v1::BreakGlassRequest* request,
                          breach::v1::ProviderAccessResponse* response) override;

 private:
  // Finds the breach (NOT_FOUND, also for another school's), authorizes `action`, appends
  // `event` to its stream with the access row folded from it, and returns the row.
  absl::StatusOr<breach::v1::ProviderAccess> Record(const auth::Principal& principal,
                                                    const std::string& breach_id,
                                                    auth::Action action, const std::string& method,
                                                    const google::protobuf::Message& event);

  eventstore::EventStore& store_;
  const Clock& clock_;
  std::function<void()> on_append_;
  service::RpcGuard guard_;
  StripedMutex<>& breach_locks_;
  using Fellow = breach::v1::AccessService::StubInterface;
  service::FellowForwarder<breach::v1::AccessService> forwarder_;
};

}  // namespace breachd::intake
