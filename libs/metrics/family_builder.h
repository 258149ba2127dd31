// Builds Prometheus metric families sample by sample, for the collectables that compute their
// figures on each scrape (delivery_metrics.h, service_gauges.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "prometheus/client_metric.h"
#include "prometheus/metric_family.h"

namespace breachd::metrics {

// Families by name, in the order they are first added, each sample with its labels.
class FamilyBuilder {
 public:
  void Add(const std::string& name, prometheus::MetricType type, const std::string& help,
           std::vector<prometheus::ClientMetric::Label> labels, double value) {
    auto [it, inserted] = index_.try_emplace(name, families_.size());
    if (inserted) families_.push_back(prometheus::MetricFamily{name, help, type, {}});
    prometheus::ClientMetric metric;
    metric.label = std::move(labels);
    if (type == prometheus::MetricType::Counter) {
      metric.counter.value = value;
    } else {
      metric.gauge.value = value;
    }
    families_[it->second].metric.push_back(std::move(metric));
  }
  std::vector<prometheus::MetricFamily> Take() { return std::move(families_); }

 private:
  std::map<std::string, size_t> index_;
  std::vector<prometheus::MetricFamily> families_;
};

}  // namespace breachd::metrics
