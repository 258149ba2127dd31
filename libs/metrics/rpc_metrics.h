// RPC counts and latencies by method and status code, recorded by a gRPC server interceptor.
//   breachd_rpc_total{method,code}                 counter
//   breachd_rpc_duration_seconds{method,code}      histogram
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"
#include "grpcpp/support/status.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace breachd::metrics {

// The RPC metric families in a registry it keeps alive, so interceptors of calls still draining
// after the metrics endpoint has stopped record into something that exists.
class RpcInstruments {
 public:
  explicit RpcInstruments(std::shared_ptr<prometheus::Registry> registry);
  // One finished call: `method` is gRPC's full name, e.g. "/breach.v1.IntakeService/ReportBreach".
  void Record(const std::string& method, grpc::StatusCode code, absl::Duration took);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Histogram>& durations_;
};

// The `method` label of a call to `method` ("/package.Service/Method"): the method itself when this
// binary knows it (its .proto is linked in), otherwise kUnknownMethod, so that calls to made-up
// methods (a scanner) cannot grow the metrics without bound.
inline constexpr char kUnknownMethod[] = "unknown";
std::string MethodLabel(const std::string& method);

// The name of a gRPC status code as operators read it: "OK", "INVALID_ARGUMENT", ...
std::string StatusCodeName(grpc::StatusCode code);

// Creates one interceptor per call; each records the call once, when its status is sent (a call
// cancelled before that is recorded as CANCELLED).
class RpcMetricsInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcMetricsInterceptorFactory(std::shared_ptr<RpcInstruments> instruments)
      : instruments_(std::move(instruments)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  std::shared_ptr<RpcInstruments> instruments_;
};

}  // namespace breachd::metrics
