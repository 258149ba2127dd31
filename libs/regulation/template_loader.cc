#include "libs/regulation/template_loader.h"

#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/regulation/file_reading.h"
#include "libs/regulation/notification_drafts.h"

namespace breachd::regulation {
namespace {

// Reads `names` from `dir`, then `validate`s them; errors are prefixed with the directory.
template <typename Validate>
absl::StatusOr<TemplateSet> LoadNamed(const std::string& dir,
                                      const std::vector<std::string>& names, Validate validate) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat(dir, ": template directory not found"));
  }
  TemplateSet templates;
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(templates.by_name[name],
                     ReadWholeFile((std::filesystem::path(dir) / name).string()));
  }
  if (absl::Status status = validate(templates); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(dir, "/", status.message()));
  }
  return templates;
}

}  // namespace

absl::StatusOr<TemplateSet> LoadTemplateDirectory(const std::string& dir) {
  return LoadNamed(dir, RequiredTemplateNames(), ValidateTemplates);
}

absl::StatusOr<TemplateSet> LoadNotificationTemplateDirectory(const std::string& dir) {
  return LoadNamed(dir, NotificationTemplates::Names(), [](const TemplateSet& templates) {
    return NotificationTemplates::Compile(templates).status();
  });
}

}  // namespace breachd::regulation
