#include "services/breachd/suite_config.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace breachd::suite {

absl::StatusOr<std::set<std::string>> ParseServices(const std::string& flag) {
  std::set<std::string> services;
  for (absl::string_view part : absl::StrSplit(flag, ',', absl::SkipWhitespace())) {
    const std::string name(absl::StripAsciiWhitespace(part));
    if (name == "all") {
      services.insert(std::begin(kAllServices), std::end(kAllServices));
    } else {
      services.insert(name);
    }
  }
  if (absl::Status hostable = CheckHostable(services); !hostable.ok()) return hostable;
  return services;
}

absl::StatusOr<std::map<std::string, std::string>> ParsePeers(const std::string& flag) {
  std::map<std::string, std::string> peers;
  for (absl::string_view part : absl::StrSplit(flag, ',', absl::SkipWhitespace())) {
    std::pair<std::string, std::string> peer = absl::StrSplit(part, absl::MaxSplits('=', 1));
    peer.first = std::string(absl::StripAsciiWhitespace(peer.first));
    peer.second = std::string(absl::StripAsciiWhitespace(peer.second));
    bool known = false;
    for (const char* service : kPublishingServices) known |= peer.first == service;
    if (!known || peer.second.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--peers: '", part, "' is not SERVICE=HOST:PORT with SERVICE one of intake, register"));
    }
    peers[peer.first] = peer.second;
  }
  return peers;
}

absl::Status CheckHostable(const std::set<std::string>& services) {
  if (services.empty()) return absl::InvalidArgumentError("--services names no service");
  for (const std::string& name : services) {
    bool hostable = false;
    for (const char* service : kAllServices) hostable |= name == service;
    if (!hostable) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--services: '", name, "' is not a service this build can host (expected all, or a list of ",
          absl::StrJoin(kAllServices, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace breachd::suite
