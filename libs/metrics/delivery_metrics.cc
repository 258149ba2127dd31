#include "libs/metrics/delivery_metrics.h"

#include <algorithm>
#include <map>
#include <string>

#include "libs/common/log.h"
#include "libs/metrics/family_builder.h"

namespace breachd::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

}  // namespace

std::vector<MetricFamily> DeliveryFamilies(const breach::v1::GetDeliveryStatusResponse& status) {
  FamilyBuilder out;
  for (const breach::v1::OutboxDelivery& outbox : status.outboxes()) {
    const std::vector<ClientMetric::Label> service = {{"service", outbox.service()}};
    out.Add("breachd_outbox_pending", MetricType::Gauge,
            "Events in the service's outbox, not yet acknowledged by the bus (counted up to 10000)",
            service, outbox.pending());
    out.Add("breachd_relay_published_total", MetricType::Counter,
            "Events the outbox relay published since start", service, outbox.published());
    out.Add("breachd_relay_errors_total", MetricType::Counter,
            "Failed deliveries and outbox failures of the relay since start", service,
            outbox.errors());
    out.Add("breachd_relay_parked_total", MetricType::Counter,
            "Events the bus refused for good, parked since start (breachctl admin parked list)",
            service, outbox.parked());
  }
  for (const breach::v1::SourceDelivery& source : status.sources()) {
    const std::vector<ClientMetric::Label> labels = {{"consumer", source.consumer()},
                                                     {"source", source.source()}};
    out.Add("breachd_consumer_lag_events", MetricType::Gauge,
            "Source events not yet applied by the consumer (source_head - applied_through)",
            labels, source.lag());
    out.Add("breachd_consumer_applied_through", MetricType::Gauge,
            "Checkpoint: every source event at or below this position is applied", labels,
            source.applied_through());
    out.Add("breachd_consumer_source_head", MetricType::Gauge,
            "The source store's head position as last seen", labels, source.source_head());
    out.Add("breachd_consumer_gaps_detected_total", MetricType::Counter,
            "Bus offsets found no longer on the broker, since start", labels,
            source.gaps_detected());
    out.Add("breachd_consumer_gaps_repaired_total", MetricType::Counter,
            "Gaps closed by a catch-up from the source store, since start", labels,
            source.gaps_repaired());
    out.Add("breachd_consumer_caught_up_events_total", MetricType::Counter,
            "Events applied from the source store rather than the bus, since start", labels,
            source.caught_up_events());
  }
  for (const breach::v1::SiemDelivery& feed : status.siem()) {
    const std::vector<ClientMetric::Label> labels = {{"service", feed.service()},
                                                     {"sink", feed.sink()}};
    out.Add("breachd_siem_published_total", MetricType::Counter,
            "Events the SIEM relay delivered since start", labels, feed.published());
    out.Add("breachd_siem_errors_total", MetricType::Counter,
            "Failed SIEM deliveries, store or checkpoint failures since start", labels,
            feed.errors());
    out.Add("breachd_siem_lag_events", MetricType::Gauge,
            "Store positions not yet delivered to the SIEM sink (store head - checkpoint)",
            labels, feed.store_head() - std::min(feed.store_head(), feed.delivered_through()));
  }
  std::map<std::string, uint64_t> parked_by_consumer;
  for (const breach::v1::SourceDelivery& source : status.sources()) {
    parked_by_consumer.try_emplace(source.consumer(), 0);
  }
  for (const auto& event : status.parked()) ++parked_by_consumer[event.consumer()];
  for (const auto& [consumer, parked] : parked_by_consumer) {
    out.Add("breachd_consumer_parked_events", MetricType::Gauge,
            "Events the consumer could not apply for good", {{"consumer", consumer}}, parked);
  }
  return out.Take();
}

std::vector<MetricFamily> DeliveryCollectable::Collect() const {
  breach::v1::GetDeliveryStatusResponse status;
  absl::Status sampled = sampler_(&status);
  if (!sampled.ok()) {
    ++sample_errors_;
    log::Warn("metrics: cannot sample the delivery status", {{"error", sampled.ToString()}});
    status.Clear();
  }
  std::vector<MetricFamily> families = DeliveryFamilies(status);
  ClientMetric errors;
  errors.counter.value = static_cast<double>(sample_errors_.load());
  families.push_back(MetricFamily{"breachd_delivery_sample_errors_total",
                                  "Scrapes that could not sample the delivery status",
                                  MetricType::Counter,
                                  {errors}});
  return families;
}

}  // namespace breachd::metrics
