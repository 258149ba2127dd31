// What one breachd process hosts and how it is wired; filled from flags by main.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace breachd::suite {

inline constexpr const char* kAllServices[] = {"intake", "assessment", "notification", "register"};

struct SuiteConfig {
  std::set<std::string> services;  // subset of kAllServices
  std::string listen = "127.0.0.1:50051";
  std::string data_dir = "var/breachd";
  std::string kafka = "embedded";  // or bootstrap.servers
  std::vector<std::string> kafka_properties;  // extra librdkafka "key=value"
  std::string identity_file;  // default: <data_dir>/identity.json
  // Put every stored event back in the outbox at start. Always done with the embedded bus,
  // whose topics die with the process; consumers ignore what they already applied.
  bool republish = false;
};

// "all" or a comma-separated list such as "intake,register". INVALID_ARGUMENT names an unknown one.
absl::StatusOr<std::set<std::string>> ParseServices(const std::string& flag);

}  // namespace breachd::suite
