// Percentiles of a set of latencies, in milliseconds, for the benchmark's printout.
#pragma once

#include <string>
#include <vector>

namespace breachd::bench {

struct LatencySummary {
  size_t count = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Nearest-rank percentiles (the value below which q of the samples lie); all zero when empty.
LatencySummary Summarize(std::vector<double> samples_ms);

// "p50 1.2 ms  p90 3.4 ms  p99 5.6 ms  max 7.8 ms  (n=1000)".
std::string FormatSummary(const LatencySummary& summary);

}  // namespace breachd::bench
