// One value of a gauge a service reports for the metrics endpoint, without tying the service to
// the metrics library: the suite hands these to libs/metrics on each scrape.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace breachd {

struct GaugeSample {
  std::string name;  // e.g. "breachd_deadlines_overdue"
  std::string help;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

}  // namespace breachd
