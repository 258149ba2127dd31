// Where breachctl's calls go and as whom: one channel per service endpoint, a bearer token
// and a deadline on every call.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "libs/grpcutil/tls.h"

namespace breachd::breachctl {

struct ConnectionSettings {
  std::string endpoint;                             // default for every service
  std::map<std::string, std::string> per_service;   // "intake" -> endpoint override
  std::string token;
  absl::Duration timeout = absl::Seconds(10);
  grpcutil::ClientTlsFiles tls;  // CA to trust (empty: the system's), client cert for mTLS
  bool insecure = false;         // plaintext, for a breachd started with --insecure
  // The name breachd's certificate must carry, when the endpoint's host is not it (a probe in
  // the pod calls 127.0.0.1 and checks the certificate of the Service's name). Empty: the host.
  std::string server_name;
};

class Connection {
 public:
  explicit Connection(ConnectionSettings settings) : settings_(std::move(settings)) {}

  // The channel of a service ("intake", "register", "admin"); INVALID_ARGUMENT when a TLS file
  // cannot be read. A service given several endpoints (instances) is reached at the first.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelFor(const std::string& service);
  // The endpoints of a service: several when its setting lists instances ("A,B").
  std::vector<std::string> EndpointsFor(const std::string& service) const;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelForEndpoint(const std::string& endpoint);
  // A context with the deadline and the bearer token set.
  std::unique_ptr<grpc::ClientContext> NewContext() const;
  const ConnectionSettings& settings() const { return settings_; }

 private:
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials();

  ConnectionSettings settings_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

}  // namespace breachd::breachctl
