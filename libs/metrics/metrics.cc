#include "libs/metrics/metrics.h"

#include <exception>

#include "absl/strings/str_cat.h"
#include "libs/metrics/family_builder.h"

namespace breachd::metrics {
namespace {

// A synced RocksDB WriteBatch: a fraction of a millisecond on an idle SSD, far more when the
// disk is slow or appends queue behind one stream's lock.
const prometheus::Histogram::BucketBoundaries kAppendBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

}  // namespace

absl::StatusOr<std::unique_ptr<Metrics>> Metrics::Start(const std::string& listen_address) {
  std::unique_ptr<Metrics> metrics(new Metrics());
  metrics->registry_ = std::make_shared<prometheus::Registry>();
  metrics->rpc_ = std::make_shared<RpcInstruments>(metrics->registry_);
  metrics->append_durations_ = &prometheus::BuildHistogram()
                                    .Name("breachd_store_append_duration_seconds")
                                    .Help("EventStore appends (one synced RocksDB batch), by service")
                                    .Register(*metrics->registry_);
  metrics->serving_ = &prometheus::BuildGauge()
                           .Name("breachd_service_serving")
                           .Help("Health of each served gRPC service: 1 SERVING, 0 NOT_SERVING "
                                 "(docs/configuration.md, \"Health\")")
                           .Register(*metrics->registry_);
  try {
    // civetweb throws when it cannot bind; two threads answer scrapes.
    metrics->exposer_ = std::make_unique<prometheus::Exposer>(listen_address, 2);
  } catch (const std::exception& error) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen_address, ": ",
                                               error.what()));
  }
  const std::vector<int> ports = metrics->exposer_->GetListeningPorts();
  if (ports.empty()) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen_address));
  }
  metrics->port_ = ports.front();
  metrics->exposer_->RegisterCollectable(metrics->registry_);
  return metrics;
}

Metrics::~Metrics() { exposer_.reset(); }

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Metrics::NewRpcInterceptorFactory() {
  return std::make_unique<RpcMetricsInterceptorFactory>(rpc_);
}

AppendObserver Metrics::AppendObserverFor(const std::string& service) {
  prometheus::Histogram* histogram = &append_durations_->Add({{"service", service}}, kAppendBuckets);
  return [registry = registry_, histogram](absl::Duration took) {
    histogram->Observe(absl::ToDoubleSeconds(took));
  };
}

void Metrics::SetServing(const std::string& health_name, bool serving) {
  serving_->Add({{"service", health_name}}).Set(serving ? 1 : 0);
}

namespace {

// The services' gauges, computed on each scrape.
class GaugeCollectable : public prometheus::Collectable {
 public:
  explicit GaugeCollectable(std::function<std::vector<GaugeSample>()> sampler)
      : sampler_(std::move(sampler)) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    FamilyBuilder families;
    for (const GaugeSample& sample : sampler_()) {
      std::vector<prometheus::ClientMetric::Label> labels;
      for (const auto& [name, value] : sample.labels) labels.push_back({name, value});
      families.Add(sample.name, prometheus::MetricType::Gauge, sample.help, std::move(labels),
                   sample.value);
    }
    return families.Take();
  }

 private:
  std::function<std::vector<GaugeSample>()> sampler_;
};

}  // namespace

void Metrics::SampleGaugesWith(std::function<std::vector<GaugeSample>()> sampler) {
  if (gauges_) exposer_->RemoveCollectable(gauges_);
  gauges_ = std::make_shared<GaugeCollectable>(std::move(sampler));
  exposer_->RegisterCollectable(gauges_);
}

void Metrics::SampleDeliveryWith(DeliverySampler sampler) {
  if (delivery_) exposer_->RemoveCollectable(delivery_);
  delivery_ = std::make_shared<DeliveryCollectable>(std::move(sampler));
  exposer_->RegisterCollectable(delivery_);
}

}  // namespace breachd::metrics
