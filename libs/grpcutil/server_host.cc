#include "libs/grpcutil/server_host.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"
#include "libs/grpcutil/unparsable_request.h"

namespace breachd::grpcutil {

absl::StatusOr<std::unique_ptr<ServerHost>> ServerHost::Start(
    const std::string& listen_address, std::shared_ptr<grpc::ServerCredentials> credentials,
    const std::vector<grpc::Service*>& services, const std::vector<std::string>& health_names,
    std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> observer) {
  grpc::EnableDefaultHealthCheckService(true);
  // gRPC's default health service carries no protobuf descriptor; naming one of our generated
  // health messages links health.pb.cc in, so reflection can describe grpc.health.v1.Health.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  if (!credentials) {
    return absl::InvalidArgumentError(
        "no transport credentials: configure TLS (or plaintext, explicitly, with --insecure)");
  }
  std::unique_ptr<ServerHost> host(new ServerHost());
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen_address, std::move(credentials), &host->port_);
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<UnparsableRequestInterceptorFactory>());
  if (observer) interceptors.push_back(std::move(observer));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.SetMaxReceiveMessageSize(kMaxRequestBytes);
  host->server_ = builder.BuildAndStart();
  if (!host->server_ || host->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen_address));
  }
  grpc::HealthCheckServiceInterface* health = host->server_->GetHealthCheckService();
  health->SetServingStatus(true);
  for (const std::string& name : health_names) health->SetServingStatus(name, true);
  return host;
}

ServerHost::~ServerHost() { Shutdown(absl::Seconds(5)); }

void ServerHost::Shutdown(absl::Duration grace) {
  if (shut_down_ || !server_) return;
  shut_down_ = true;
  server_->GetHealthCheckService()->SetServingStatus(false);
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

}  // namespace breachd::grpcutil
