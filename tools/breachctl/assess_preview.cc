#include "tools/breachctl/assess_preview.h"

#include "libs/regulation/preview_command.h"

namespace breachd::breachctl {

int RunAssessPreview(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return regulation::RunPreviewCommand(args, out, err);
}

}  // namespace breachd::breachctl
