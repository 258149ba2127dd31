#include "services/breachd/suite_config.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace breachd::suite {

absl::StatusOr<std::set<std::string>> ParseServices(const std::string& flag) {
  std::set<std::string> services;
  for (absl::string_view part : absl::StrSplit(flag, ',', absl::SkipWhitespace())) {
    const std::string name(absl::StripAsciiWhitespace(part));
    if (name == "all") {
      services.insert(std::begin(kAllServices), std::end(kAllServices));
      continue;
    }
    bool known = false;
    for (const char* service : kAllServices) known |= name == service;
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--services: unknown service '", name,
          "' (expected all, or a list of intake, assessment, notification, register)"));
    }
    services.insert(name);
  }
  if (services.empty()) return absl::InvalidArgumentError("--services names no service");
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

}  // namespace breachd::suite
