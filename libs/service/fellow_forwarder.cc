#include "libs/service/fellow_forwarder.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/ids.h"
#include "libs/common/log.h"

namespace breachd::service {
namespace {

// A forwarded call gets the caller's deadline, or this when the caller set none.
constexpr auto kForwardTimeout = std::chrono::seconds(10);

// Enough draws that missing a served partition by chance is out of the question (with one of
// 12 partitions served, (11/12)^1000 < 1e-37); a bad candidate function ends here too.
constexpr int kMaxDraws = 1000;

bool WasForwarded(const grpc::ServerContext& incoming) {
  const auto& metadata = incoming.client_metadata();
  return metadata.find(kForwardedHeader) != metadata.end();
}

// A call to a fellow on behalf of `incoming`: the caller's token, the mark, the caller's deadline.
void PrepareForwardedCall(const grpc::ServerContext& incoming, grpc::ClientContext& context) {
  const auto& metadata = incoming.client_metadata();
  if (auto token = metadata.find("authorization"); token != metadata.end()) {
    context.AddMetadata("authorization", std::string(token->second.data(), token->second.size()));
  }
  context.AddMetadata(kForwardedHeader, "1");
  const auto deadline = incoming.deadline();
  context.set_deadline(deadline == std::chrono::system_clock::time_point::max()
                           ? std::chrono::system_clock::now() + kForwardTimeout
                           : deadline);
}

}  // namespace

Routing RouteFor(const bus::PartitionOwnership* ownership, const std::string& key,
                 bool forwarded) {
  if (ownership == nullptr || key.empty() || ownership->Serves(key)) return Routing::kLocal;
  return forwarded ? Routing::kRefuse : Routing::kForward;
}

std::string BreachKey(const std::string& breach_id) {
  return IsUlid(breach_id) ? breach_id : std::string();
}

absl::StatusOr<std::string> PlaceId(const bus::PartitionOwnership* ownership,
                                    const std::function<std::string(int attempt)>& candidate) {
  if (ownership == nullptr) return candidate(0);
  if (ownership->view().served.empty()) {
    return absl::UnavailableError(
        "this instance serves no partition right now (starting, or a rebalance is under way); "
        "try again");
  }
  for (int attempt = 0; attempt < kMaxDraws; ++attempt) {
    std::string id = candidate(attempt);
    if (ownership->Serves(id)) return id;
  }
  return absl::UnavailableError(
      absl::StrCat("no id drawn in ", kMaxDraws, " tries falls in a partition this instance "
                   "serves; try again"));
}

FellowRouter::FellowRouter(std::string service, const bus::PartitionOwnership* ownership,
                           std::vector<std::string> fellows)
    : service_(std::move(service)), ownership_(ownership), fellows_(std::move(fellows)) {}

std::optional<grpc::Status> FellowRouter::Route(grpc::ServerContext& incoming,
                                                const std::string& key,
                                                const Attempt& attempt) const {
  const Routing routing = RouteFor(ownership_, key, WasForwarded(incoming));
  if (routing == Routing::kLocal) return std::nullopt;
  const int32_t partition = ownership_->PartitionOf(key);
  if (routing == Routing::kRefuse) {
    incoming.AddTrailingMetadata(kNotServedTrailer, "1");
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        absl::StrCat(key, " (partition ", partition, ") is not served by this ",
                                     service_, " instance"));
  }
  for (size_t i = 0; i < fellows_.size(); ++i) {
    grpc::ClientContext context;
    PrepareForwardedCall(incoming, context);
    grpc::Status status = attempt(i, context);
    if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
        context.GetServerTrailingMetadata().count(kNotServedTrailer) > 0) {
      continue;  // not that fellow's
    }
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      // That fellow is down (or between partitions); another may serve the key.
      log::Warn(absl::StrCat(service_, ": fellow instance unavailable"),
                {{"fellow", fellows_[i]}, {"error", status.error_message()}});
      continue;
    }
    return status;
  }
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      absl::StrCat(key, " is in partition ", partition, ", which no ", service_,
                                   " instance serves right now (one is down, or a rebalance is "
                                   "under way); try again"));
}

absl::Status FellowRouter::AllAnswered(const std::vector<FellowAnswer>& answers,
                                      const std::string& what, const std::string& retry) {
  std::vector<std::string> missed;
  for (const FellowAnswer& answer : answers) {
    if (!answer.status.ok()) {
      missed.push_back(absl::StrCat(answer.fellow, " (", answer.status.error_message(), ")"));
    }
  }
  if (missed.empty()) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(what, " at this instance and at ",
                                             answers.size() - missed.size(), " of its ",
                                             answers.size(), " fellows, not at ",
                                             absl::StrJoin(missed, ", "), ": ", retry));
}

std::vector<FellowRouter::FellowAnswer> FellowRouter::Broadcast(grpc::ServerContext& incoming,
                                                                const Attempt& attempt) const {
  std::vector<FellowAnswer> answers;
  if (ownership_ == nullptr || WasForwarded(incoming)) return answers;
  for (size_t i = 0; i < fellows_.size(); ++i) {
    grpc::ClientContext context;
    PrepareForwardedCall(incoming, context);
    answers.push_back({fellows_[i], attempt(i, context)});
  }
  return answers;
}

}  // namespace breachd::service
