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

}  // namespace breachd::suite
