// `breachctl assess preview`: the offline regulatory engine. A thin entry point; the command
// lives in libs/regulation/preview_command.h.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace breachd::breachctl {

// `args` are the words after `breachctl assess preview`. Returns the exit code.
int RunAssessPreview(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace breachd::breachctl
