// One gRPC server with the health service and server reflection, so grpc_health_probe,
// Kubernetes gRPC probes and grpcurl work against every breachd.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/support/server_interceptor.h"
#include "grpcpp/impl/codegen/service_type.h"

namespace breachd::grpcutil {

// The largest request any hosted service takes; gRPC answers RESOURCE_EXHAUSTED beyond it.
// Far above the largest valid report (services/intake/report_limits.h), so that an oversized
// field (the 2 MB description of issue 9) still reaches validation and is refused naming the
// field and its limit; what the bus carries is bounded by those field limits, not by this.
// See docs/configuration.md.
inline constexpr int kMaxRequestBytes = 4 * 1024 * 1024;

class ServerHost {
 public:
  // Starts serving `services` (not owned; they must outlive the host) on `listen_address`
  // ("127.0.0.1:0" picks a free port) with `credentials` (grpcutil/tls.h: TLS, or plaintext
  // when asked for). Each service's full name is marked SERVING in the health service, as is
  // the overall "" entry. `observer`, when given, intercepts every call after the host's own
  // interceptors (metrics count what the client gets).
  static absl::StatusOr<std::unique_ptr<ServerHost>> Start(
      const std::string& listen_address, std::shared_ptr<grpc::ServerCredentials> credentials,
      const std::vector<grpc::Service*>& services, const std::vector<std::string>& health_names,
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> observer = nullptr);
  ~ServerHost();

  int port() const { return port_; }
  // The health service, for a monitor that marks services NOT_SERVING while they cannot deliver.
  grpc::HealthCheckServiceInterface* health() const { return server_->GetHealthCheckService(); }
  // Marks everything NOT_SERVING, stops accepting calls and waits up to `grace` for in-flight
  // calls to finish before cancelling them.
  void Shutdown(absl::Duration grace);

 private:
  ServerHost() = default;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace breachd::grpcutil
