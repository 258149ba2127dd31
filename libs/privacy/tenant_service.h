// TenantService: a school's data at the end of its contract (erase, contract end, retention
// standing), for provider operators. The work is TenantKeeper's; this is the gRPC adapter.
#pragma once

#include "breach/v1/tenant.grpc.pb.h"
#include "libs/auth/identity_store.h"
#include "libs/common/clock.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/tenant_keeper.h"
#include "libs/service/rpc_guard.h"

namespace breachd::privacy {

class TenantService final : public breach::v1::TenantService::Service {
 public:
  // Refusals are recorded in `store` (the keeper's first store), source `service_name`.
  TenantService(TenantKeeper& keeper, const std::string& service_name,
                eventstore::EventStore& store, const auth::IdentityStore& identities,
                const Clock& clock, std::function<void()> on_append);

  grpc::Status EraseTenant(grpc::ServerContext* context,
                           const breach::v1::EraseTenantRequest* request,
                           breach::v1::EraseTenantResponse* response) override;
  grpc::Status SetContractEnd(grpc::ServerContext* context,
                              const breach::v1::SetContractEndRequest* request,
                              breach::v1::TenantRetention* response) override;
  grpc::Status GetRetention(grpc::ServerContext* context,
                            const breach::v1::GetRetentionRequest* request,
                            breach::v1::GetRetentionResponse* response) override;
  grpc::Status RotateTenantKey(grpc::ServerContext* context,
                               const breach::v1::RotateTenantKeyRequest* request,
                               breach::v1::RotateTenantKeyResponse* response) override;

 private:
  TenantKeeper& keeper_;
  service::RpcGuard guard_;
};

}  // namespace breachd::privacy
