#include "libs/regulation/engine_loader.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_zone.h"
#include "libs/regulation/regime.h"
#include "libs/regulation/regime_loader.h"
#include "libs/regulation/template_loader.h"

namespace breachd::regulation {

std::string EngineDataDir(const std::map<std::string, std::string>& settings,
                          const std::string& kind) {
  if (auto it = settings.find(kind + "_dir"); it != settings.end() && !it->second.empty()) {
    return it->second;
  }
  std::error_code error;
  if (const char* root = std::getenv("BREACHD_DATA_DIR"); root != nullptr && *root != '\0') {
    const std::string dir = absl::StrCat(root, "/", kind);
    if (std::filesystem::is_directory(dir, error)) return dir;
  }
  if (std::filesystem::is_directory(kind, error)) return kind;
  return absl::StrCat(BREACHD_SOURCE_DIR, "/", kind);
}

absl::StatusOr<std::shared_ptr<const RegulationEngine>> LoadEngine(
    const std::map<std::string, std::string>& settings, absl::string_view service) {
  const std::string regimes_dir = EngineDataDir(settings, "regimes");
  const std::string templates_dir = EngineDataDir(settings, "templates");
  // The loaders name the file and the field of a bad file.
  ASSIGN_OR_RETURN(std::vector<breach::v1::Regime> regimes, LoadRegimeDirectory(regimes_dir));
  ASSIGN_OR_RETURN(TemplateSet templates, LoadTemplateDirectory(templates_dir));
  if (regimes.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("no regime in ", regimes_dir));
  }
  ASSIGN_OR_RETURN(absl::TimeZone zone, LoadNamedTimeZone(regimes.front().time_zone()));
  std::vector<std::string> in_use;
  for (const breach::v1::Regime& regime : regimes) in_use.push_back(RegimeRef(regime));
  ASSIGN_OR_RETURN(RegulationEngine engine,
                   RegulationEngine::Create(std::move(regimes), std::move(templates), zone));
  log::Info(absl::StrCat(service, ": regulatory engine loaded"),
            {{"regimes", absl::StrJoin(in_use, ",")},
             {"regimes_dir", regimes_dir},
             {"templates_dir", templates_dir}});
  return std::make_shared<const RegulationEngine>(std::move(engine));
}

}  // namespace breachd::regulation
