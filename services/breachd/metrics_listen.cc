#include "services/breachd/metrics_listen.h"

#include "absl/strings/match.h"

namespace breachd::suite {

std::string MetricsListenAddress(const std::string& flag, const std::string& listen) {
  if (flag == "off") return "";
  if (!flag.empty()) return flag;
  if (absl::EndsWith(listen, ":0")) return "127.0.0.1:0";
  return kDefaultMetricsListen;
}

}  // namespace breachd::suite
