// `breachctl assess preview`: runs the regulatory engine offline on an assessment file and
// prints severity, classification, duties, deadlines and drafts.
//
//   breachctl assess preview -f assessment.json [--awareness TIME] [--now TIME]
//                            [-o table|json] [--lang it|en] [--regimes DIR] [--templates DIR]
//
// Without --regimes / --templates the first existing directory wins: $BREACHD_DATA_DIR/<name>,
// ./<name>, the installed <prefix>/share/breachd/<name>, then the source tree's <name>.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "libs/common/clock.h"

namespace breachd::regulation {

// Returns the process exit code: 0 success, 1 the assessment or a data file is invalid,
// 2 bad usage. Errors go to `err` in one line.
int RunPreviewCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                      const Clock& clock = SystemClock::Get());

}  // namespace breachd::regulation
