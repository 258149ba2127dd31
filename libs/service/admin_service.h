// AdminService, served by every breachd: chain verification of the stores this process hosts,
// and "who am I" for a token.
//
// A refusal is recorded where the refused action lives: refusing to verify one breach goes to
// the audit stream of the store that holds the breach, refusing to verify every store goes to
// the audit stream of each hosted store, each with that store's service as the event source.
// Parked events of those stores (list, retry) are for provider operators.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "breach/v1/admin.grpc.pb.h"
#include "libs/auth/identity_store.h"
#include "libs/common/clock.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/rpc_guard.h"

namespace breachd::service {

// One hosted service's store, as AdminService sees it.
struct HostedStore {
  eventstore::EventStore* store = nullptr;  // not owned
  std::function<void()> on_append;          // after a refusal is recorded (wakes the relay)
};

class AdminService final : public breach::v1::AdminService::Service {
 public:
  // `stores`: hosted service name -> its store; at least one.
  AdminService(const std::map<std::string, HostedStore>& stores,
               const auth::IdentityStore& identities, const Clock& clock);

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
  // What this process hosts and the data versions it runs on, shown by WhoAmI.
  void SetHostedVersions(std::vector<std::string> services,
                         std::vector<std::string> regulation_data) {
    hosted_services_ = std::move(services);
    regulation_data_ = std::move(regulation_data);
  }

  grpc::Status GetCheckpoints(grpc::ServerContext* context,
                              const breach::v1::GetCheckpointsRequest* request,
                              breach::v1::GetCheckpointsResponse* response) override;
  // The raw Ed25519 public key the hosted stores sign their checkpoints with ("" for none).
  void SetCheckpointPublicKey(std::string public_key) { public_key_ = std::move(public_key); }

  grpc::Status ListParked(grpc::ServerContext* context,
                          const breach::v1::ListParkedRequest* request,
                          breach::v1::ListParkedResponse* response) override;
  grpc::Status RetryParked(grpc::ServerContext* context,
                           const breach::v1::RetryParkedRequest* request,
                           breach::v1::RetryParkedResponse* response) override;
  grpc::Status BackupStores(grpc::ServerContext* context,
                            const breach::v1::BackupStoresRequest* request,
                            breach::v1::BackupStoresResponse* response) override;

  // Rebuilds a hosted consumer's projection (delivery::ProjectionRebuild), telling `progress`.
  using Rebuilder = std::function<absl::Status(
      const std::function<void(const breach::v1::RebuildProgress&)>& progress)>;
  void SetRebuilder(const std::string& service, Rebuilder rebuilder) {
    rebuilders_[service] = std::move(rebuilder);
  }
  grpc::Status RebuildProjection(grpc::ServerContext* context,
                                 const breach::v1::RebuildProjectionRequest* request,
                                 grpc::ServerWriter<breach::v1::RebuildProgress>* writer) override;

  // Where BackupStores writes (<folder>/<service>); empty: backups are refused.
  void SetBackupFolder(std::string folder) { backup_folder_ = std::move(folder); }

 private:
  struct Guarded {
    eventstore::EventStore* store;
    std::unique_ptr<RpcGuard> guard;  // records refusals in `store`, source = the service
  };
  struct Owner {
    std::string tenant;   // "" if no hosted store knows the breach
    const RpcGuard* guard = nullptr;
  };

  absl::Status Verify(const auth::Principal& principal, const std::string& breach_id,
                      breach::v1::VerifyChainsResponse* response);
  absl::Status AuthorizeVerify(const auth::Principal& principal, const std::string& breach_id);
  // The tenant that owns `breach_id` and the guard of the first hosted store that holds it.
  absl::StatusOr<Owner> OwnerOf(const std::string& breach_id);
  const RpcGuard& AnyGuard() const { return *stores_.begin()->second.guard; }
  // Serves a call only provider operators may make (a provider-wide `action`).
  grpc::Status ServeOperator(grpc::ServerContext& context, const char* method,
                             auth::Action action, const std::function<absl::Status()>& run);
  absl::Status Backup(const std::string& service, breach::v1::BackupStoresResponse* response);
  absl::Status ListParkedEvents(const std::string& service,
                                breach::v1::ListParkedResponse* response);
  absl::StatusOr<uint64_t> Retry(const breach::v1::RetryParkedRequest& request);
  // The hosted store named `service`, or every hosted store when it is empty.
  absl::StatusOr<std::map<std::string, eventstore::EventStore*>> StoresNamed(
      const std::string& service) const;

  std::map<std::string, Guarded> stores_;
  DeliveryStatusProvider delivery_status_;
  std::vector<std::string> hosted_services_;
  std::vector<std::string> regulation_data_;
  std::string backup_folder_;
  std::map<std::string, Rebuilder> rebuilders_;

  std::string public_key_;
};

}  // namespace breachd::service
