// Reads regime files from disk: <dir>/<id>/<version>.json. The engine itself never touches files.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "breach/v1/assessment.pb.h"

namespace breachd::regulation {

// Loads the newest version (greatest file name) of every regime under `dir`, checking that each
// file's id and version match its path. NOT_FOUND if `dir` is missing or holds no regime;
// INVALID_ARGUMENT, naming the file and field, for a bad file.
absl::StatusOr<std::vector<breach::v1::Regime>> LoadRegimeDirectory(const std::string& dir);

// Loads one regime file.
absl::StatusOr<breach::v1::Regime> LoadRegimeFile(const std::string& path);

}  // namespace breachd::regulation
