// Routing between the instances of a partitioned service (docs/scaling.md): a request about one
// breach (or another partitioned key) that this instance does not serve goes to the fellow
// instance that does, with the caller's own credentials, so the owner authenticates,
// authorizes and records it as if called directly. A forwarded call is marked, and never
// forwarded again: an instance that does not serve the key answers FAILED_PRECONDITION to it,
// and the next fellow is asked. When none answers for it the caller gets UNAVAILABLE ("try
// again"), never a wrong NOT_FOUND. The header grants nothing: it only stops forwarding.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "libs/bus/partition_ownership.h"

namespace breachd::service {

// Metadata key marking a call one instance forwarded to another.
inline constexpr char kForwardedHeader[] = "x-breachd-forwarded";
// Trailing metadata of an instance's refusal of a forwarded call it does not serve: tells that
// refusal apart from the owner's own FAILED_PRECONDITION (a lifecycle refusal, say).
inline constexpr char kNotServedTrailer[] = "x-breachd-not-served";

// What an instance does with a request about `key` (empty: not routable, e.g. a malformed id,
// which the normal path refuses). Pure.
enum class Routing { kLocal, kRefuse, kForward };
Routing RouteFor(const bus::PartitionOwnership* ownership, const std::string& key,
                 bool forwarded);

// `breach_id` as a routing key: itself if it is a breach id (a ULID), else empty.
std::string BreachKey(const std::string& breach_id);

// A new id this instance will hold: candidate(0), candidate(1), ... until one falls in a
// partition it serves (not partitioned: candidate(0)). UNAVAILABLE when it serves no partition
// now. With ULIDs and N of P partitions served, P/N draws on average.
absl::StatusOr<std::string> PlaceId(const bus::PartitionOwnership* ownership,
                                    const std::function<std::string(int attempt)>& candidate);

// The non-template core of FellowForwarder: who to ask, in which order, with what metadata.
class FellowRouter {
 public:
  // `ownership` nullptr: not partitioned, nothing is ever forwarded. `service` names the
  // service in messages ("register").
  FellowRouter(std::string service, const bus::PartitionOwnership* ownership,
               std::vector<std::string> fellows);

  using Attempt = std::function<grpc::Status(size_t fellow, grpc::ClientContext& context)>;
  // nullopt when this instance answers for `key` itself. Otherwise the answer of the first
  // fellow that serves it, FAILED_PRECONDITION to a forwarded call, or UNAVAILABLE.
  std::optional<grpc::Status> Route(grpc::ServerContext& incoming, const std::string& key,
                                    const Attempt& attempt) const;

  // The same call made at every fellow, for what each instance must hold in full (the school
  // directory): each fellow's answer, in `fellows()` order. Empty when not partitioned, and for
  // a call that was itself forwarded (its sender does the copying).
  struct FellowAnswer {
    std::string fellow;
    grpc::Status status;
  };
  std::vector<FellowAnswer> Broadcast(grpc::ServerContext& incoming,
                                      const Attempt& attempt) const;
  // OK when every answer is, else UNAVAILABLE: `what` happened here and at the fellows that
  // answered, not at those named (with their errors); `retry` says what to do.
  static absl::Status AllAnswered(const std::vector<FellowAnswer>& answers,
                                  const std::string& what, const std::string& retry);

  const std::vector<std::string>& fellows() const { return fellows_; }

 private:
  std::string service_;
  const bus::PartitionOwnership* ownership_;
  std::vector<std::string> fellows_;
};

// FellowRouter with a stub of `Service` per fellow.
template <typename Service>
class FellowForwarder {
 public:
  using Stub = typename Service::StubInterface;

  FellowForwarder(std::string service, const bus::PartitionOwnership* ownership,
                  std::vector<std::string> fellows,
                  std::shared_ptr<grpc::ChannelCredentials> credentials)
      : router_(std::move(service), ownership, std::move(fellows)) {
    if (ownership == nullptr) return;
    for (const std::string& fellow : router_.fellows()) {
      stubs_.push_back(Service::NewStub(grpc::CreateChannel(fellow, credentials)));
    }
  }

  // `method` of the owner's stub with `request`, or nullopt to answer here (FellowRouter).
  template <typename Request, typename Response>
  std::optional<grpc::Status> Route(grpc::ServerContext& incoming, const std::string& key,
                                    grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                                 const Request&, Response*),
                                    const Request& request, Response* response) const {
    return router_.Route(incoming, key, [&](size_t fellow, grpc::ClientContext& context) {
      return ((*stubs_[fellow]).*method)(&context, request, response);
    });
  }

  // `method` of every fellow's stub with `request` (FellowRouter::Broadcast): each fellow's
  // answer, and its response in `responses` (same order) when given.
  template <typename Request, typename Response>
  std::vector<FellowRouter::FellowAnswer> Broadcast(
      grpc::ServerContext& incoming,
      grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
      const Request& request, std::vector<Response>* responses = nullptr) const {
    return router_.Broadcast(incoming, [&](size_t fellow, grpc::ClientContext& context) {
      Response response;
      grpc::Status status = ((*stubs_[fellow]).*method)(&context, request, &response);
      if (responses != nullptr) responses->push_back(std::move(response));
      return status;
    });
  }

 private:
  FellowRouter router_;
  std::vector<std::unique_ptr<Stub>> stubs_;
};

// How a partitioned service reaches its fellows (ServiceContext's three fields together).
struct Fellows {
  const bus::PartitionOwnership* ownership = nullptr;
  std::vector<std::string> addresses;
  std::shared_ptr<grpc::ChannelCredentials> credentials;
};

}  // namespace breachd::service
