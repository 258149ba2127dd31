#include "tests/testing/health_probe.h"

#include <chrono>

#include "google/protobuf/wrappers.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/impl/codegen/rpc_method.h"

namespace breachd::testing {

HealthStatus CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& service) {
  // gRPC ships no client for its health service. Its messages have the wire format of the
  // wrappers: HealthCheckRequest {string service = 1} of StringValue, HealthCheckResponse
  // {ServingStatus status = 1} of Int32Value; so the generic unary call needs no .proto.
  static const grpc::internal::RpcMethod kCheck("/grpc.health.v1.Health/Check",
                                                grpc::internal::RpcMethod::NORMAL_RPC);
  google::protobuf::StringValue request;
  request.set_value(service);
  google::protobuf::Int32Value response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  const grpc::Status status =
      grpc::internal::BlockingUnaryCall(channel.get(), kCheck, &context, request, &response);
  if (!status.ok()) return HealthStatus::kUnreachable;
  return static_cast<HealthStatus>(response.value());
}

}  // namespace breachd::testing
