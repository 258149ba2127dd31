// absl::Status <-> grpc::Status. The codes map 1:1; the message is kept.
#pragma once

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace breachd::grpcutil {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace breachd::grpcutil
