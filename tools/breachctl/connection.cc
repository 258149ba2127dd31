#include "tools/breachctl/connection.h"

#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "libs/common/status_macros.h"

namespace breachd::breachctl {

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Connection::Credentials() {
  if (credentials_) return credentials_;
  if (settings_.insecure) {
    credentials_ = grpc::InsecureChannelCredentials();
  } else {
    ASSIGN_OR_RETURN(credentials_, grpcutil::TlsChannelCredentials(settings_.tls));
  }
  return credentials_;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connection::ChannelFor(const std::string& service) {
  auto override_it = settings_.per_service.find(service);
  const std::string endpoint =
      override_it != settings_.per_service.end() && !override_it->second.empty()
          ? override_it->second
          : settings_.endpoint;
  auto& channel = channels_[endpoint];
  if (!channel) {
    ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials, Credentials());
    channel = grpc::CreateChannel(endpoint, credentials);
  }
  return channel;
}

std::unique_ptr<grpc::ClientContext> Connection::NewContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + settings_.timeout));
  if (!settings_.token.empty()) context->AddMetadata("authorization", "Bearer " + settings_.token);
  return context;
}

}  // namespace breachd::breachctl
