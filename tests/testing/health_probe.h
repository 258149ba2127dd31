// Asks a server's gRPC health service about one service name, as grpc_health_probe does.
#pragma once

#include <memory>
#include <string>

#include "grpcpp/channel.h"

namespace breachd::testing {

// grpc.health.v1.HealthCheckResponse.ServingStatus.
enum class HealthStatus { kUnknown = 0, kServing = 1, kNotServing = 2, kUnreachable = -1 };

// The status of `service` ("" = the server as a whole); kUnreachable if the call fails.
HealthStatus CheckHealth(const std::shared_ptr<grpc::Channel>& channel, const std::string& service);

}  // namespace breachd::testing
