#include "services/breachd/suite_config.h"

#include <algorithm>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
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
          "the register and the intake can be)"));
    }
    partitioned.insert(name);
  }
  return partitioned;
}

namespace {

// More partitions than any topic of ours will have (k8s/ declares 12).
constexpr int32_t kMaxPartition = 9999;

absl::StatusOr<int32_t> ParsePartition(absl::string_view text) {
  int32_t partition = -1;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &partition) || partition < 0 ||
      partition > kMaxPartition) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--home_partitions: '", text, "' is not a partition number (0 to ", kMaxPartition, ")"));
  }
  return partition;
}

}  // namespace

absl::StatusOr<std::vector<int32_t>> ParseHomePartitions(const std::string& flag,
                                                         const std::set<std::string>& partitioned) {
  const bool needed = absl::c_any_of(partitioned, [](const std::string& name) {
    const service::ServiceModule* module = FindModule(name);
    return module != nullptr && module->home_partitioned;
  });
  std::set<int32_t> partitions;
  for (absl::string_view part : absl::StrSplit(flag, ',', absl::SkipWhitespace())) {
    const std::vector<absl::string_view> range = absl::StrSplit(part, absl::MaxSplits('-', 1));
    absl::StatusOr<int32_t> first = ParsePartition(range.front());
    if (!first.ok()) return first.status();
    absl::StatusOr<int32_t> last = range.size() == 2 ? ParsePartition(range.back()) : first;
    if (!last.ok()) return last.status();
    if (*last < *first) {
      return absl::InvalidArgumentError(
          absl::StrCat("--home_partitions: '", part, "' is an empty range"));
    }
    for (int32_t p = *first; p <= *last; ++p) partitions.insert(p);
  }
  if (needed && partitions.empty()) {
    return absl::InvalidArgumentError(
        "--home_partitions: required with --partitioned=intake (the partitions of "
        "breach.events.v1 this intake instance is the home of, e.g. 0-5)");
  }
  if (!needed && !partitions.empty()) {
    return absl::InvalidArgumentError(
        "--home_partitions: only for --partitioned=intake (the register's partitions follow its "
        "consumer group)");
  }
  return std::vector<int32_t>(partitions.begin(), partitions.end());
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
