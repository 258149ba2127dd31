// EventFeedService: a hosted store's events in store order, from a position, as a server
// stream. Consumers use it to catch up when the bus lacks what they need (see docs/bus.md).
#pragma once

#include <map>
#include <string>

#include "breach/v1/feed.grpc.pb.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/admin_service.h"
#include "libs/service/rpc_guard.h"

namespace breachd::delivery {

inline constexpr int kDefaultFeedBatch = 500;
inline constexpr int kMaxFeedBatch = 1000;
// A response message is cut at about this size, far below gRPC's message limit.
inline constexpr size_t kFeedMessageBytes = 1 << 20;

class EventFeedService final : public breach::v1::EventFeedService::Service {
 public:
  // `stores`: service name -> its store (not owned). A refusal is recorded in the store that
  // was asked for, with that service as the source.
  EventFeedService(const std::map<std::string, service::HostedStore>& stores,
                   const auth::IdentityStore& identities, const Clock& clock);

  grpc::Status ReadEvents(grpc::ServerContext* context,
                          const breach::v1::ReadEventsRequest* request,
                          grpc::ServerWriter<breach::v1::ReadEventsResponse>* writer) override;

 private:
  struct Guarded {
    eventstore::EventStore* store;
    std::unique_ptr<service::RpcGuard> guard;
  };
  absl::Status Stream(grpc::ServerContext& context, const auth::Principal& principal,
                      const breach::v1::ReadEventsRequest& request,
                      grpc::ServerWriter<breach::v1::ReadEventsResponse>& writer);

  std::map<std::string, Guarded> stores_;
};

}  // namespace breachd::delivery
