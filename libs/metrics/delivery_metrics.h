// Outbox, relay and consumer figures, read on each scrape from what `breachctl admin status`
// shows (GetDeliveryStatusResponse), so the two never disagree:
//   breachd_outbox_pending{service}                         gauge
//   breachd_relay_published_total{service}                  counter
//   breachd_relay_errors_total{service}                     counter
//   breachd_relay_parked_total{service}                     counter
//   breachd_consumer_lag_events{consumer,source}            gauge
//   breachd_consumer_applied_through{consumer,source}       gauge
//   breachd_consumer_source_head{consumer,source}           gauge
//   breachd_consumer_gaps_detected_total{consumer,source}   counter
//   breachd_consumer_gaps_repaired_total{consumer,source}   counter
//   breachd_consumer_caught_up_events_total{consumer,source} counter
//   breachd_consumer_parked_events{consumer}                gauge
//   breachd_delivery_sample_errors_total                    counter (a scrape could not sample)
#pragma once

#include <atomic>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "breach/v1/admin.pb.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace breachd::metrics {

// Fills the delivery status of the process (the suite's FillDeliveryStatus).
using DeliverySampler = std::function<absl::Status(breach::v1::GetDeliveryStatusResponse*)>;

// The metric families of one delivery status.
std::vector<prometheus::MetricFamily> DeliveryFamilies(
    const breach::v1::GetDeliveryStatusResponse& status);

// Samples on every scrape. A failed sample is logged and counted; the scrape still answers.
class DeliveryCollectable : public prometheus::Collectable {
 public:
  explicit DeliveryCollectable(DeliverySampler sampler) : sampler_(std::move(sampler)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  DeliverySampler sampler_;
  mutable std::atomic<uint64_t> sample_errors_{0};
};

}  // namespace breachd::metrics
