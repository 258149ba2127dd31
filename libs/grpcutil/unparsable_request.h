// gRPC C++ parses a request before any handler runs; a request whose bytes are not the method's
// message (a proto3 string that is not UTF-8, garbage) is answered INTERNAL with an empty
// message, as if the server had failed. This server interceptor notices the failed parse (no
// message after POST_RECV_MESSAGE) and rewrites that answer, at PRE_SEND_STATUS, into
// INVALID_ARGUMENT naming the method: the client sent something wrong, and is told so.
#pragma once

#include "grpcpp/support/server_interceptor.h"

namespace breachd::grpcutil {

class UnparsableRequestInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace breachd::grpcutil
