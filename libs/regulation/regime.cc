#include "libs/regulation/regime.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "libs/common/status_macros.h"

namespace breachd::regulation {
namespace {

using breach::v1::Regime;
using breach::v1::RegimeDuty;

// Highest score the ENISA formula can produce: 4 x 1 + 0.5 x 4.
constexpr double kMaxScore = 6.0;

bool IsSlug(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

absl::Status Invalid(const std::string& field, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", message));
}

absl::Status ValidateClassification(const Regime& regime) {
  for (int i = 0; i < regime.classification_size(); ++i) {
    const auto& t = regime.classification(i);
    const std::string field = absl::StrCat("classification[", i, "]");
    if (i == 0 && t.min_score() != 0.0) {
      return Invalid(field + ".min_score", "the first threshold must be 0 so every score has a class");
    }
    if (t.min_score() < 0 || t.min_score() > kMaxScore) {
      return Invalid(field + ".min_score", absl::StrCat("must be within 0..", kMaxScore));
    }
    if (i > 0 && t.min_score() <= regime.classification(i - 1).min_score()) {
      return Invalid(field + ".min_score", "thresholds must be strictly ascending");
    }
    if (t.classification() != i + 1) {
      return Invalid(field + ".classification",
                     absl::StrCat("expected ", i + 1, " (classes are 1, 2, 3 in order)"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateDuty(const RegimeDuty& duty, const std::string& field) {
  if (duty.duty() == breach::v1::DUTY_KIND_UNSPECIFIED ||
      !breach::v1::DutyKind_IsValid(duty.duty())) {
    return Invalid(field + ".duty", "unknown or missing duty");
  }
  if (duty.legal_basis().empty()) return Invalid(field + ".legal_basis", "required");
  if (duty.recipient().it().empty() || duty.recipient().en().empty()) {
    return Invalid(field + ".recipient", "required in Italian and English");
  }
  if (duty.min_score() < 0 || duty.min_score() > kMaxScore) {
    return Invalid(field + ".min_score", absl::StrCat("must be within 0..", kMaxScore));
  }
  if (duty.due_hours() < 0) return Invalid(field + ".due_hours", "must not be negative");
  if (duty.due_months() < 0) return Invalid(field + ".due_months", "must not be negative");
  if (duty.due_hours() > 0 && duty.due_months() > 0) {
    return Invalid(field + ".due_months", "set due_hours or due_months, not both");
  }
  const bool has_clock = duty.due_hours() > 0 || duty.due_months() > 0;
  if (has_clock && duty.clock_start() == breach::v1::CLOCK_START_UNSPECIFIED) {
    return Invalid(field + ".clock_start", "required when the duty has a window");
  }
  if (!has_clock && (duty.internal_target() || duty.warn_at_fractions_size() > 0)) {
    return Invalid(field + ".due_hours", "internal_target and warn_at_fractions need a window");
  }
  double previous = 0;
  for (int i = 0; i < duty.warn_at_fractions_size(); ++i) {
    const double f = duty.warn_at_fractions(i);
    if (f <= previous || f >= 1.0) {
      return Invalid(absl::StrCat(field, ".warn_at_fractions[", i, "]"),
                     "fractions must be ascending and strictly between 0 and 1");
    }
    previous = f;
  }
  return absl::OkStatus();
}

}  // namespace

std::string RegimeRef(const Regime& regime) {
  return absl::StrCat(regime.id(), "@", regime.version());
}

absl::Status ValidateRegime(const Regime& regime) {
  if (!IsSlug(regime.id())) return Invalid("id", "required, lowercase letters, digits and '-'");
  if (!IsSlug(regime.version())) return Invalid("version", "required, e.g. \"2026-01\"");
  if (regime.time_zone().empty()) return Invalid("time_zone", "required, e.g. \"Europe/Rome\"");
  if (regime.scope() == breach::v1::REGIME_SCOPE_UNSPECIFIED ||
      !breach::v1::RegimeScope_IsValid(regime.scope())) {
    return Invalid("scope", "required: ALWAYS, PROCESSOR_INVOLVED or NIS2");
  }
  if (regime.large_volume_subjects() < 0) {
    return Invalid("large_volume_subjects", "must not be negative");
  }
  if (regime.small_volume_records() < 0) {
    return Invalid("small_volume_records", "must not be negative");
  }
  if (regime.short_unavailability_hours() < 0) {
    return Invalid("short_unavailability_hours", "must not be negative");
  }
  RETURN_IF_ERROR(ValidateClassification(regime));
  if (regime.duties().empty()) return Invalid("duties", "at least one duty is required");
  std::set<int> seen;
  for (int i = 0; i < regime.duties_size(); ++i) {
    const std::string field = absl::StrCat("duties[", i, "]");
    RETURN_IF_ERROR(ValidateDuty(regime.duties(i), field));
    if (!seen.insert(regime.duties(i).duty()).second) {
      return Invalid(field + ".duty", "listed twice");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRegimeSet(const std::vector<Regime>& regimes) {
  std::set<std::string> ids;
  std::set<int> duties;
  int classifying = 0;
  for (const Regime& regime : regimes) {
    const std::string ref = RegimeRef(regime);
    if (auto status = ValidateRegime(regime); !status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(ref, ": ", status.message()));
    }
    if (!ids.insert(regime.id()).second) {
      return absl::InvalidArgumentError(absl::StrCat(ref, ": regime id loaded twice"));
    }
    if (regime.time_zone() != regimes.front().time_zone()) {
      return absl::InvalidArgumentError(
          absl::StrCat(ref, ": time_zone differs from ", RegimeRef(regimes.front())));
    }
    for (const auto& duty : regime.duties()) {
      if (!duties.insert(duty.duty()).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(ref, ": duty ", breach::v1::DutyKind_Name(duty.duty()),
                         " is already decided by another regime"));
      }
    }
    if (regime.classification_size() > 0) {
      if (regime.scope() != breach::v1::REGIME_SCOPE_ALWAYS) {
        return absl::InvalidArgumentError(
            absl::StrCat(ref, ": classification is only allowed in a regime with scope ALWAYS"));
      }
      ++classifying;
    }
  }
  if (classifying != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "exactly one regime must define the classification thresholds (found ", classifying, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Regime> ParseRegimeJson(absl::string_view json, absl::string_view origin) {
  Regime regime;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &regime, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ": not a valid regime file: ", std::string(parsed.message())));
  }
  if (auto status = ValidateRegime(regime); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": ", status.message()));
  }
  return regime;
}

}  // namespace breachd::regulation
