// Where breachd serves its Prometheus endpoint (--metrics_listen).
#pragma once

#include <string>

namespace breachd::suite {

inline constexpr char kDefaultMetricsListen[] = "127.0.0.1:9464";

// The metrics address to bind for --metrics_listen=`flag`: "off" means no endpoint (""); empty
// (not given) means the default, except that a process whose gRPC `listen` port is 0 (tests,
// scripts running many processes) picks a free metrics port too, so it never collides on 9464;
// anything else is the address itself.
std::string MetricsListenAddress(const std::string& flag, const std::string& listen);

}  // namespace breachd::suite
