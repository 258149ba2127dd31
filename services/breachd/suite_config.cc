#include "services/breachd/suite_config.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/breachd/service_modules.h"

namespace breachd::suite {

std::vector<std::string> HostableServices() {
  std::vector<std::string> names;
  for (const service::ServiceModule& module : ServiceModules()) names.push_back(module.name);
  return names;
}

std::vector<std::string> PublishingServices() {
  std::vector<std::string> names;
  for (const service::ServiceModule& module : ServiceModules()) {
    if (module.publishes) names.push_back(module.name);
  }
  return names;
}

absl::StatusOr<std::set<std::string>> ParseServices(const std::string& flag) {
  std::set<std::string> services;
  for (absl::string_view part : absl::StrSplit(flag, ',', absl::SkipWhitespace())) {
    const std::string name(absl::StripAsciiWhitespace(part));
    if (name == "all") {
      for (std::string& hostable : HostableServices()) services.insert(std::move(hostable));
    } else {
      services.insert(name);
    }
  }
  if (absl::Status hostable = CheckHostable(services); !hostable.ok()) return hostable;
  return services;
}

absl::StatusOr<std::map<std::string, std::vector<std::string>>> ParsePeers(
    const std::string& flag, const std::string& self) {
  std::map<std::string, std::vector<std::string>> peers;
  for (absl::string_view part : absl::StrSplit(flag, ',', absl::SkipWhitespace())) {
    std::pair<std::string, std::string> peer = absl::StrSplit(part, absl::MaxSplits('=', 1));
    peer.first = std::string(absl::StripAsciiWhitespace(peer.first));
    peer.second = std::string(absl::StripAsciiWhitespace(peer.second));
    const std::vector<std::string> publishing = PublishingServices();
    const bool known =
        std::find(publishing.begin(), publishing.end(), peer.first) != publishing.end();
    if (!known || peer.second.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--peers: '", part, "' is not SERVICE=HOST:PORT with SERVICE one of ",
                       absl::StrJoin(publishing, ", ")));
    }
    std::vector<std::string>& instances = peers[peer.first];
    if (std::find(instances.begin(), instances.end(), peer.second) != instances.end()) {
      return absl::InvalidArgumentError(absl::StrCat("--peers: '", part, "' is given twice"));
    }
    instances.push_back(peer.second);
  }
  if (!self.empty()) {
    for (auto& [service, instances] : peers) {
      instances.erase(std::remove(instances.begin(), instances.end(), self), instances.end());
    }
    std::erase_if(peers, [](const auto& entry) { return entry.second.empty(); });
  }
  return peers;
}

absl::StatusOr<std::set<std::string>> ParsePartitioned(const std::string& flag,
                                                       const std::set<std::string>& hosted) {
  std::set<std::string> partitioned;
  for (absl::string_view part : absl::StrSplit(flag, ',', absl::SkipWhitespace())) {
    const std::string name(absl::StripAsciiWhitespace(part));
    const service::ServiceModule* module = FindModule(name);
    if (module == nullptr || !module->partitionable || !hosted.count(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--partitioned: '", name, "' is not a hosted service that can be partitioned (only "
          "the register can be, today)"));
    }
    partitioned.insert(name);
  }
  return partitioned;
}

absl::Status CheckHostable(const std::set<std::string>& services) {
  if (services.empty()) return absl::InvalidArgumentError("--services names no service");
  for (const std::string& name : services) {
    if (FindModule(name) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--services: '", name, "' is not a service this build can host (expected all, or a list of ",
          absl::StrJoin(HostableServices(), ", "), ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace breachd::suite
