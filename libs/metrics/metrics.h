// The Prometheus endpoint of one breachd process and every metric it serves: what the suite
// calls to count RPCs, time appends, follow health and sample delivery on each scrape.
// Metric names and example alerts: docs/operations.md, "Observe".
//
//   breachd_rpc_total, breachd_rpc_duration_seconds          rpc_metrics.h
//   breachd_store_append_duration_seconds{service}            histogram
//   breachd_service_serving{service}                          gauge, 1 SERVING / 0 NOT_SERVING
//   breachd_outbox_*, breachd_relay_*, breachd_consumer_*     delivery_metrics.h
//   what hosted services report on each scrape, e.g. breachd_deadlines_overdue{tenant,duty}
//   (notification; docs/operations.md)
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/gauge_sample.h"
#include "grpcpp/support/server_interceptor.h"
#include "libs/metrics/delivery_metrics.h"
#include "libs/metrics/rpc_metrics.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace breachd::metrics {

// Called with how long one EventStore::Append took (eventstore::Options::append_observer).
using AppendObserver = std::function<void(absl::Duration took)>;

class Metrics {
 public:
  // Serves GET /metrics on `listen_address` ("127.0.0.1:9464"; port 0 picks a free one).
  // UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Metrics>> Start(const std::string& listen_address);
  ~Metrics();  // stops serving; waits for a scrape in progress
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The bound port.
  int port() const { return port_; }

  // An interceptor factory for the gRPC server; it may outlive this object.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewRpcInterceptorFactory();
  // Times the appends of one service's store; it may outlive this object.
  AppendObserver AppendObserverFor(const std::string& service);
  // Follows a health entry, e.g. ("breach.v1.IntakeService", false).
  void SetServing(const std::string& health_name, bool serving);
  // Sampled on every scrape from then on; must stay callable until this object is destroyed.
  void SampleDeliveryWith(DeliverySampler sampler);
  // Gauges the hosted services compute on every scrape; must stay callable until this object is
  // destroyed.
  void SampleGaugesWith(std::function<std::vector<GaugeSample>()> sampler);

 private:
  Metrics() = default;

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<RpcInstruments> rpc_;
  prometheus::Family<prometheus::Histogram>* append_durations_ = nullptr;
  prometheus::Family<prometheus::Gauge>* serving_ = nullptr;
  std::shared_ptr<DeliveryCollectable> delivery_;
  std::shared_ptr<prometheus::Collectable> gauges_;
  std::unique_ptr<prometheus::Exposer> exposer_;  // last: stops first
  int port_ = 0;
};

}  // namespace breachd::metrics
