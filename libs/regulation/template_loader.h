// Reads the draft templates (*.md) from a directory; operators edit them without recompiling.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "libs/regulation/drafts.h"

namespace breachd::regulation {

// Loads every required template from `dir` and validates it (ValidateTemplates).
absl::StatusOr<TemplateSet> LoadTemplateDirectory(const std::string& dir);

}  // namespace breachd::regulation
