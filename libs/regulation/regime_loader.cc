#include "libs/regulation/regime_loader.h"

#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/regulation/file_reading.h"
#include "libs/regulation/regime.h"

namespace breachd::regulation {

absl::StatusOr<breach::v1::Regime> LoadRegimeFile(const std::string& path) {
  ASSIGN_OR_RETURN(const std::string json, ReadWholeFile(path));
  ASSIGN_OR_RETURN(breach::v1::Regime regime, ParseRegimeJson(json, path));
  const std::filesystem::path p(path);
  const std::string dir_id = p.parent_path().filename().string();
  const std::string file_version = p.stem().string();
  if (regime.id() != dir_id || regime.version() != file_version) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": declares ", regime.id(), "@", regime.version(),
                     " but its path says ", dir_id, "@", file_version));
  }
  return regime;
}

absl::StatusOr<std::vector<breach::v1::Regime>> LoadRegimeDirectory(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat(dir, ": regime directory not found"));
  }
  // Newest version per regime id; versions sort as text ("2026-01" < "2026-07").
  std::map<std::string, std::string> newest;
  for (const auto& id_dir : std::filesystem::directory_iterator(dir, ec)) {
    if (!id_dir.is_directory()) continue;
    for (const auto& file : std::filesystem::directory_iterator(id_dir.path(), ec)) {
      if (file.path().extension() != ".json") continue;
      std::string& chosen = newest[id_dir.path().filename().string()];
      if (file.path().string() > chosen) chosen = file.path().string();
    }
  }
  if (ec) return absl::UnavailableError(absl::StrCat(dir, ": ", ec.message()));
  if (newest.empty()) return absl::NotFoundError(absl::StrCat(dir, ": no regime files"));
  std::vector<breach::v1::Regime> regimes;
  for (const auto& [id, path] : newest) {
    ASSIGN_OR_RETURN(auto regime, LoadRegimeFile(path));
    regimes.push_back(std::move(regime));
  }
  return regimes;
}

}  // namespace breachd::regulation
