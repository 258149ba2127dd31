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
