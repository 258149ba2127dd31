#include "libs/regulation/template_loader.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/regulation/file_reading.h"

namespace breachd::regulation {

absl::StatusOr<TemplateSet> LoadTemplateDirectory(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat(dir, ": template directory not found"));
  }
  TemplateSet templates;
  for (const std::string& name : RequiredTemplateNames()) {
    ASSIGN_OR_RETURN(templates.by_name[name],
                     ReadWholeFile((std::filesystem::path(dir) / name).string()));
  }
  if (auto status = ValidateTemplates(templates); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(dir, "/", status.message()));
  }
  return templates;
}

}  // namespace breachd::regulation
