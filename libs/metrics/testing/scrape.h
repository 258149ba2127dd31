// A plain HTTP client for the metrics endpoint in tests: GET /metrics, and one sample's value.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace breachd::metrics::testing {

// The body of GET http://127.0.0.1:PORT/metrics (libcurl); an error unless the answer is 200.
absl::StatusOr<std::string> Scrape(int port);

// The value of the first sample of `name` whose labels include every one of `labels`, in
// Prometheus text format; nullopt if there is none.
std::optional<double> SampleValue(const std::string& exposition, const std::string& name,
                                  const std::map<std::string, std::string>& labels = {});

}  // namespace breachd::metrics::testing
