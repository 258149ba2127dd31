// AdminService, served by every breachd: chain verification of the stores this process hosts,
// and "who am I" for a token.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "breach/v1/admin.grpc.pb.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/rpc_guard.h"

namespace breachd::service {

class AdminService final : public breach::v1::AdminService::Service {
 public:
  // `stores`: service name -> its store (not owned). `guard` records refusals.
  AdminService(std::map<std::string, eventstore::EventStore*> stores, const RpcGuard& guard);

  grpc::Status VerifyChains(grpc::ServerContext* context,
                            const breach::v1::VerifyChainsRequest* request,
                            breach::v1::VerifyChainsResponse* response) override;
  grpc::Status WhoAmI(grpc::ServerContext* context, const breach::v1::WhoAmIRequest* request,
                      breach::v1::WhoAmIResponse* response) override;
  grpc::Status GetDeliveryStatus(grpc::ServerContext* context,
                                 const breach::v1::GetDeliveryStatusRequest* request,
                                 breach::v1::GetDeliveryStatusResponse* response) override;

  // Fills the delivery status (consumers' checkpoints and lag, outboxes) of this process.
  using DeliveryStatusProvider =
      std::function<absl::Status(breach::v1::GetDeliveryStatusResponse* response)>;
  void SetDeliveryStatusProvider(DeliveryStatusProvider provider) {
    delivery_status_ = std::move(provider);
  }

 private:
  absl::Status Verify(const auth::Principal& principal, const std::string& breach_id,
                      breach::v1::VerifyChainsResponse* response);
  // The tenant that owns `breach_id` according to any hosted store ("" if none knows it).
  absl::StatusOr<std::string> TenantOf(const std::string& breach_id);

  std::map<std::string, eventstore::EventStore*> stores_;
  const RpcGuard& guard_;
  DeliveryStatusProvider delivery_status_;
};

}  // namespace breachd::service
