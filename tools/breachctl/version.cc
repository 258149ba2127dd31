#include "tools/breachctl/version.h"

#include "absl/strings/str_cat.h"

#ifndef BREACHCTL_VERSION
#define BREACHCTL_VERSION "0.0.0"
#endif
#ifndef BREACHCTL_GIT_DESCRIBE
#define BREACHCTL_GIT_DESCRIBE ""
#endif

namespace breachd::breachctl {

std::string VersionLine() {
  const std::string git = BREACHCTL_GIT_DESCRIBE;
  return absl::StrCat("breachctl ", BREACHCTL_VERSION, git.empty() ? "" : " (git ", git,
                      git.empty() ? "" : ")");
}

}  // namespace breachd::breachctl
