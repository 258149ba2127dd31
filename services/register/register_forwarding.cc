#include "services/register/register_forwarding.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "libs/common/ids.h"
#include "libs/common/log.h"

namespace breachd::register_ {
namespace {

// A forwarded call gets the caller's deadline, or this when the caller set none.
constexpr auto kForwardTimeout = std::chrono::seconds(10);

}  // namespace

FellowForwarder::FellowForwarder(const bus::PartitionOwnership* ownership,
                                 std::vector<std::string> fellows,
                                 std::shared_ptr<grpc::ChannelCredentials> credentials)
    : ownership_(ownership), fellows_(std::move(fellows)) {
  if (ownership_ == nullptr) return;
  for (const std::string& fellow : fellows_) {
    stubs_.push_back(
        breach::v1::RegisterService::NewStub(grpc::CreateChannel(fellow, credentials)));
  }
}

std::optional<grpc::Status> FellowForwarder::Route(const grpc::ServerContext& incoming,
                                                   const std::string& breach_id,
                                                   const Call& call) const {
  if (ownership_ == nullptr || !IsUlid(breach_id) || ownership_->Serves(breach_id)) {
    return std::nullopt;
  }
  const int32_t partition = ownership_->PartitionOf(breach_id);
  const auto& metadata = incoming.client_metadata();
  if (metadata.find(kForwardedHeader) != metadata.end()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        absl::StrCat("breach ", breach_id, " (partition ", partition,
                                     ") is not served by this instance"));
  }
  for (size_t i = 0; i < stubs_.size(); ++i) {
    grpc::ClientContext context;
    if (auto token = metadata.find("authorization"); token != metadata.end()) {
      context.AddMetadata("authorization", std::string(token->second.data(), token->second.size()));
    }
    context.AddMetadata(kForwardedHeader, "1");
    const auto deadline = incoming.deadline();
    context.set_deadline(deadline == std::chrono::system_clock::time_point::max()
                             ? std::chrono::system_clock::now() + kForwardTimeout
                             : deadline);
    grpc::Status status = call(*stubs_[i], context);
    if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) continue;
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      // That fellow is down; another may have its partitions by now.
      log::Warn("register: fellow instance unavailable",
                {{"fellow", fellows_[i]}, {"error", status.error_message()}});
      continue;
    }
    return status;
  }
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      absl::StrCat("breach ", breach_id, " is in partition ", partition,
                                   ", which no register instance serves right now (a "
                                   "rebalance is under way); try again"));
}

}  // namespace breachd::register_
