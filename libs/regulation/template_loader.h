// Reads the draft templates (*.md) from a directory; operators edit them without recompiling.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "libs/regulation/drafts.h"

namespace breachd::regulation {

// Loads every template of the assessment's drafts (RequiredTemplateNames()) from `dir` and
// validates it (ValidateTemplates).
absl::StatusOr<TemplateSet> LoadTemplateDirectory(const std::string& dir);

// Loads every template of the notification service's drafts (NotificationTemplates::Names())
// from `dir` and compiles them; an error names the file (and the placeholder).
absl::StatusOr<TemplateSet> LoadNotificationTemplateDirectory(const std::string& dir);

}  // namespace breachd::regulation
