// AdminService, served by every breachd: chain verification of the stores this process hosts,
// "who am I" for a token, and the parked events of those stores (list, retry).
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
  grpc::Status ListParked(grpc::ServerContext* context,
                          const breach::v1::ListParkedRequest* request,
                          breach::v1::ListParkedResponse* response) override;
  grpc::Status RetryParked(grpc::ServerContext* context,
                           const breach::v1::RetryParkedRequest* request,
                           breach::v1::RetryParkedResponse* response) override;

 private:
  absl::Status Verify(const auth::Principal& principal, const std::string& breach_id,
                      breach::v1::VerifyChainsResponse* response);
  // The tenant that owns `breach_id` according to any hosted store ("" if none knows it).
  absl::StatusOr<std::string> TenantOf(const std::string& breach_id);
  // Serves a call only provider operators may make (auth::Action::kManageParked).
  grpc::Status ServeOperator(grpc::ServerContext& context, const char* method,
                             const std::function<absl::Status()>& run);
  absl::Status ListParkedEvents(const std::string& service,
                                breach::v1::ListParkedResponse* response);
  absl::StatusOr<uint64_t> Retry(const breach::v1::RetryParkedRequest& request);
  // The hosted store named `service`, or every hosted store when it is empty.
  absl::StatusOr<std::map<std::string, eventstore::EventStore*>> StoresNamed(
      const std::string& service) const;

  std::map<std::string, eventstore::EventStore*> stores_;
  const RpcGuard& guard_;
};

}  // namespace breachd::service
