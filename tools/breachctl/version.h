// breachctl's version: the CMake project version, and `git describe` of the source tree when it
// was configured (absent outside a git checkout).
#pragma once

#include <string>

namespace breachd::breachctl {

// "breachctl 0.1.0 (git v0.1.0-12-gabc1234)" or "breachctl 0.1.0".
std::string VersionLine();

}  // namespace breachd::breachctl
