// Regimes as data: the rules of one jurisdiction or contract (gdpr-it, processor-contract,
// nis2-it), versioned, validated before use. A regime maps severity to classification and to
// duties, and says when each duty's clock starts and how long it runs.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "breach/v1/assessment.pb.h"

namespace breachd::regulation {

// "gdpr-it@2026-01": how results name the regime that produced them.
std::string RegimeRef(const breach::v1::Regime& regime);

// One regime on its own: identity, scope, ascending classification thresholds, duties with
// sane clocks and warning fractions. Errors name the field.
absl::Status ValidateRegime(const breach::v1::Regime& regime);

// Regimes used together: unique ids, each duty decided by one regime only, exactly one regime
// with classification thresholds, one time zone.
absl::Status ValidateRegimeSet(const std::vector<breach::v1::Regime>& regimes);

// Parses a regime file's JSON (protobuf JSON mapping; unknown fields are errors) and validates
// it. `origin` (e.g. the file path) prefixes every error.
absl::StatusOr<breach::v1::Regime> ParseRegimeJson(absl::string_view json, absl::string_view origin);

}  // namespace breachd::regulation
