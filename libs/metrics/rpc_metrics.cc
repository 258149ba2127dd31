#include "libs/metrics/rpc_metrics.h"

#include "absl/status/status.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"

namespace breachd::metrics {
namespace {

using grpc::experimental::InterceptionHookPoints;

// Call latencies: from a millisecond (a health check) to the 10 s default client deadline.
const prometheus::Histogram::BucketBoundaries kRpcBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

class RpcMetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  RpcMetricsInterceptor(std::shared_ptr<RpcInstruments> instruments, const char* method)
      : instruments_(std::move(instruments)),
        method_(MethodLabel(method ? method : "")),
        started_(absl::Now()) {}

  ~RpcMetricsInterceptor() override {
    if (!recorded_) instruments_->Record(method_, grpc::StatusCode::CANCELLED, absl::Now() - started_);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (!recorded_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      recorded_ = true;
      instruments_->Record(method_, methods->GetSendStatus().error_code(), absl::Now() - started_);
    }
    methods->Proceed();
  }

 private:
  std::shared_ptr<RpcInstruments> instruments_;
  std::string method_;
  absl::Time started_;
  bool recorded_ = false;
};

}  // namespace

RpcInstruments::RpcInstruments(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)),
      calls_(prometheus::BuildCounter()
                 .Name("breachd_rpc_total")
                 .Help("gRPC calls served, by full method name and status code")
                 .Register(*registry_)),
      durations_(prometheus::BuildHistogram()
                     .Name("breachd_rpc_duration_seconds")
                     .Help("gRPC call latency on the server, by method and status code")
                     .Register(*registry_)) {}

void RpcInstruments::Record(const std::string& method, grpc::StatusCode code,
                            absl::Duration took) {
  const prometheus::Labels labels = {{"method", method}, {"code", StatusCodeName(code)}};
  calls_.Add(labels).Increment();
  durations_.Add(labels, kRpcBuckets).Observe(absl::ToDoubleSeconds(took));
}

std::string MethodLabel(const std::string& method) {
  // "/breach.v1.IntakeService/ReportBreach" is breach.v1.IntakeService.ReportBreach in the pool
  // every linked .proto registers itself in.
  const std::string full_name = absl::StrReplaceAll(method.substr(method.empty() ? 0 : 1), {{"/", "."}});
  if (google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name) != nullptr) {
    return method;
  }
  return kUnknownMethod;
}

std::string StatusCodeName(grpc::StatusCode code) {
  // gRPC's and Abseil's canonical codes share their numbers and names.
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

grpc::experimental::Interceptor* RpcMetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new RpcMetricsInterceptor(instruments_, info->method());
}

}  // namespace breachd::metrics
