// gRPC adapter of the school directory (hosted by the intake module): ImportSchools and
// ListSchools, provider operators only. The rows and the import are in directory_store.h.
// Every intake instance holds the whole directory (an incident is opened at the home of its
// request, whichever instance was called), so a partitioned intake copies an import to each of
// its fellows.
#pragma once

#include <functional>

#include "absl/synchronization/mutex.h"
#include "breach/v1/directory.grpc.pb.h"
#include "libs/auth/identity_store.h"
#include "libs/common/clock.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/field_cipher.h"
#include "libs/service/fellow_forwarder.h"
#include "libs/service/rpc_guard.h"

namespace breachd::intake {

class DirectoryService final : public breach::v1::DirectoryService::Service {
 public:
  DirectoryService(eventstore::EventStore& store, const auth::IdentityStore& identities,
                   const Clock& clock, std::function<void()> on_append,
                   privacy::FieldCipher& cipher, service::Fellows fellows);

  grpc::Status ImportSchools(grpc::ServerContext* context,
                             const breach::v1::ImportSchoolsRequest* request,
                             breach::v1::ImportSchoolsResponse* response) override;
  grpc::Status ListSchools(grpc::ServerContext* context,
                           const breach::v1::ListSchoolsRequest* request,
                           breach::v1::ListSchoolsResponse* response) override;

 private:
  eventstore::EventStore& store_;
  privacy::FieldCipher& cipher_;  // each school's DPO contact is sealed with its key
  const Clock& clock_;
  std::function<void()> on_append_;
  service::RpcGuard guard_;
  service::FellowForwarder<breach::v1::DirectoryService> fellows_;
  absl::Mutex import_mutex_;  // one import at a time: each merges against the stored directory
};

}  // namespace breachd::intake
