#include "bench/latency/latency_summary.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"

namespace breachd::bench {
namespace {

double NearestRank(const std::vector<double>& sorted, double q) {
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

LatencySummary Summarize(std::vector<double> samples_ms) {
  LatencySummary summary;
  summary.count = samples_ms.size();
  if (samples_ms.empty()) return summary;
  std::sort(samples_ms.begin(), samples_ms.end());
  summary.p50_ms = NearestRank(samples_ms, 0.50);
  summary.p90_ms = NearestRank(samples_ms, 0.90);
  summary.p99_ms = NearestRank(samples_ms, 0.99);
  summary.max_ms = samples_ms.back();
  return summary;
}

std::string FormatSummary(const LatencySummary& summary) {
  return absl::StrFormat("p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (n=%d)",
                         summary.p50_ms, summary.p90_ms, summary.p99_ms, summary.max_ms,
                         summary.count);
}

}  // namespace breachd::bench
