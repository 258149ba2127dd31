// Routing for a partitioned register (docs/scaling.md): a read of one breach that this
// instance does not serve goes to the fellow instance that does, with the caller's own
// credentials, so the owner authenticates, authorizes and records the read as if called
// directly. A forwarded call is marked, and never forwarded again: an instance that does not
// serve the breach answers FAILED_PRECONDITION to it, and the next fellow is asked.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "breach/v1/register.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "libs/bus/partition_ownership.h"

namespace breachd::register_ {

// Metadata key marking a call one instance forwarded to another.
inline constexpr char kForwardedHeader[] = "x-breachd-forwarded";

class FellowForwarder {
 public:
  // `ownership` nullptr: not partitioned, nothing is ever forwarded.
  FellowForwarder(const bus::PartitionOwnership* ownership, std::vector<std::string> fellows,
                  std::shared_ptr<grpc::ChannelCredentials> credentials);

  using Call = std::function<grpc::Status(breach::v1::RegisterService::StubInterface& stub,
                                          grpc::ClientContext& context)>;
  // nullopt when this instance answers for `breach_id` itself (not partitioned, serves it, or
  // the id is malformed and the normal path refuses it). Otherwise the owner's answer to
  // `call`, FAILED_PRECONDITION to a forwarded call, or UNAVAILABLE when no instance serves
  // the breach's partition now (a rebalance is under way: try again).
  std::optional<grpc::Status> Route(const grpc::ServerContext& incoming,
                                    const std::string& breach_id, const Call& call) const;

 private:
  const bus::PartitionOwnership* ownership_;
  std::vector<std::string> fellows_;
  std::vector<std::shared_ptr<breach::v1::RegisterService::StubInterface>> stubs_;
};

}  // namespace breachd::register_
