// Loads the regulatory engine a service decides with: the regime files and the draft templates,
// each validated at start (a bad file stops the start with an error naming the file and field).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/regulation/engine.h"

namespace breachd::regulation {

// The folder of the engine's `kind` ("regimes" or "templates"): settings["<kind>_dir"], else
// $BREACHD_DATA_DIR/<kind>, ./<kind>, then the source tree's.
std::string EngineDataDir(const std::map<std::string, std::string>& settings,
                          const std::string& kind);

// The engine from the folders EngineDataDir names; `service` labels the log line.
absl::StatusOr<std::shared_ptr<const RegulationEngine>> LoadEngine(
    const std::map<std::string, std::string>& settings, absl::string_view service);

}  // namespace breachd::regulation
