#include "tools/breachctl/connection.h"

#include "absl/strings/str_split.h"
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

std::vector<std::string> Connection::EndpointsFor(const std::string& service) const {
  auto override_it = settings_.per_service.find(service);
  const std::string& setting =
      override_it != settings_.per_service.end() && !override_it->second.empty()
          ? override_it->second
          : settings_.endpoint;
  std::vector<std::string> endpoints = absl::StrSplit(setting, ',', absl::SkipWhitespace());
  if (endpoints.empty()) endpoints.push_back(setting);
  return endpoints;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connection::ChannelFor(const std::string& service) {
  return ChannelForEndpoint(EndpointsFor(service).front());
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connection::ChannelForEndpoint(
    const std::string& endpoint) {
  auto& channel = channels_[endpoint];
  if (!channel) {
    ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials, Credentials());
    grpc::ChannelArguments arguments;
    if (!settings_.server_name.empty()) arguments.SetSslTargetNameOverride(settings_.server_name);
    channel = grpc::CreateCustomChannel(endpoint, credentials, arguments);
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
