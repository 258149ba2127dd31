// Human-readable rendering of an AssessmentResult for `breachctl assess preview -o table`.
#pragma once

#include <ostream>
#include <string>

#include "breach/v1/assessment.pb.h"

namespace breachd::regulation {

// `language` ("it" or "en") picks the reasons and the drafts shown.
void PrintResultTable(const breach::v1::AssessmentResult& result, const std::string& language,
                      std::ostream& out);

}  // namespace breachd::regulation
