#include "libs/regulation/assessment_validation.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace breachd::regulation {
namespace {

using breach::v1::AllegatoB;
using breach::v1::BreachFacts;

absl::Status NonNegative(int64_t value, const char* field) {
  if (value < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must not be negative (got ", value, ")"));
  }
  return absl::OkStatus();
}

// A repeated enum field must hold only known, specified values.
template <typename Repeated, typename IsValid>
absl::Status KnownValues(const Repeated& values, const char* field, IsValid is_valid) {
  for (int i = 0; i < values.size(); ++i) {
    if (values[i] == 0 || !is_valid(values[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", i, "]: unknown value ", values[i]));
    }
  }
  return absl::OkStatus();
}

absl::Status KnownValue(int value, const char* field, bool (*is_valid)(int)) {
  if (!is_valid(value)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": unknown value ", value));
  }
  return absl::OkStatus();
}

bool HasExposure(const AllegatoB& b, breach::v1::ExposureType type) {
  for (int e : b.exposure_types()) {
    if (e == type) return true;
  }
  return false;
}

bool ExposesContent(const AllegatoB& b) {
  return HasExposure(b, breach::v1::EXPOSURE_TYPE_READ) ||
         HasExposure(b, breach::v1::EXPOSURE_TYPE_COPY) ||
         HasExposure(b, breach::v1::EXPOSURE_TYPE_THEFT);
}

absl::Status ValidateAllegatoB(const AllegatoB& b) {
  RETURN_IF_ERROR(KnownValues(b.devices(), "allegato_b.devices", breach::v1::BreachDevice_IsValid));
  if (b.exposure_types().empty()) {
    return absl::InvalidArgumentError("allegato_b.exposure_types: at least one is required");
  }
  RETURN_IF_ERROR(KnownValues(b.exposure_types(), "allegato_b.exposure_types",
                              breach::v1::ExposureType_IsValid));
  RETURN_IF_ERROR(KnownValues(b.business_areas(), "allegato_b.business_areas",
                              breach::v1::BusinessArea_IsValid));
  RETURN_IF_ERROR(
      KnownValues(b.data_nature(), "allegato_b.data_nature", breach::v1::DataNature_IsValid));
  if (b.data_nature().empty() && b.data_nature_other().empty()) {
    return absl::InvalidArgumentError(
        "allegato_b.data_nature: at least one nature of data (or data_nature_other) is required");
  }
  RETURN_IF_ERROR(NonNegative(b.people_affected(), "allegato_b.people_affected"));
  const auto& measures = b.technical_measures();
  RETURN_IF_ERROR(KnownValue(measures.key_status(), "allegato_b.technical_measures.key_status",
                             breach::v1::EncryptionKeyStatus_IsValid));
  if (!measures.encrypted() &&
      measures.key_status() != breach::v1::ENCRYPTION_KEY_STATUS_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "allegato_b.technical_measures.key_status: set, but encrypted is false");
  }
  if (b.high_risk_no_longer_likely() && b.measures_against_high_risk().empty()) {
    return absl::InvalidArgumentError(
        "allegato_b.measures_against_high_risk: required when high_risk_no_longer_likely is "
        "true (art. 34(3)(b))");
  }
  return absl::OkStatus();
}

// "Only unintelligible data left" cannot stand with a stated disclosure, a compromised key or a
// reversed pseudonymisation.
absl::Status ValidateUnintelligible(const AllegatoB& b, const BreachFacts& f) {
  if (!f.only_unintelligible_data_left()) return absl::OkStatus();
  if (f.confidentiality_loss() == breach::v1::CONFIDENTIALITY_LOSS_KNOWN_RECIPIENTS ||
      f.confidentiality_loss() == breach::v1::CONFIDENTIALITY_LOSS_UNKNOWN_RECIPIENTS) {
    return absl::InvalidArgumentError(
        "facts.only_unintelligible_data_left: contradicts a stated confidentiality_loss with "
        "recipients");
  }
  if (b.technical_measures().key_status() == breach::v1::ENCRYPTION_KEY_STATUS_COMPROMISED) {
    return absl::InvalidArgumentError(
        "facts.only_unintelligible_data_left: contradicts a compromised encryption key");
  }
  if (b.pseudonymisation_reversed()) {
    return absl::InvalidArgumentError(
        "facts.only_unintelligible_data_left: contradicts a reversed pseudonymisation");
  }
  return absl::OkStatus();
}

absl::Status ValidateFacts(const AllegatoB& b, const BreachFacts& f) {
  RETURN_IF_ERROR(NonNegative(f.records_approx(), "facts.records_approx"));
  RETURN_IF_ERROR(NonNegative(f.unavailability_hours(), "facts.unavailability_hours"));
  RETURN_IF_ERROR(KnownValue(f.cause(), "facts.cause", breach::v1::BreachCause_IsValid));
  RETURN_IF_ERROR(KnownValue(f.recipient(), "facts.recipient", breach::v1::RecipientTrust_IsValid));
  RETURN_IF_ERROR(KnownValue(f.ease_of_identification(), "facts.ease_of_identification",
                             breach::v1::EaseOfIdentification_IsValid));
  RETURN_IF_ERROR(KnownValue(f.confidentiality_loss(), "facts.confidentiality_loss",
                             breach::v1::ConfidentialityLoss_IsValid));
  RETURN_IF_ERROR(KnownValue(f.integrity_loss(), "facts.integrity_loss",
                             breach::v1::IntegrityLoss_IsValid));
  RETURN_IF_ERROR(KnownValue(f.availability_loss(), "facts.availability_loss",
                             breach::v1::AvailabilityLoss_IsValid));
  RETURN_IF_ERROR(KnownValue(f.most_sensitive_seriousness(), "facts.most_sensitive_seriousness",
                             breach::v1::DataSeriousness_IsValid));
  RETURN_IF_ERROR(NonNegative(f.most_sensitive_records(), "facts.most_sensitive_records"));
  if (f.records_approx() > 0 && f.most_sensitive_records() > f.records_approx()) {
    return absl::InvalidArgumentError(
        "facts.most_sensitive_records: more than records_approx");
  }
  RETURN_IF_ERROR(ValidateUnintelligible(b, f));

  const bool content_exposed = ExposesContent(b) || f.data_left_control();
  if (f.confidentiality_loss() == breach::v1::CONFIDENTIALITY_LOSS_NONE && content_exposed) {
    return absl::InvalidArgumentError(
        "facts.confidentiality_loss: NONE contradicts the exposure types (read, copy or theft) "
        "or data_left_control");
  }
  if (f.recipient() == breach::v1::RECIPIENT_TRUST_NONE && content_exposed) {
    return absl::InvalidArgumentError(
        "facts.recipient: NONE contradicts the exposure types (read, copy or theft) or "
        "data_left_control");
  }
  if (f.integrity_loss() == breach::v1::INTEGRITY_LOSS_NONE &&
      HasExposure(b, breach::v1::EXPOSURE_TYPE_ALTERATION)) {
    return absl::InvalidArgumentError(
        "facts.integrity_loss: NONE contradicts the exposure type ALTERATION");
  }
  if (f.availability_loss() == breach::v1::AVAILABILITY_LOSS_NONE && !f.backup_available() &&
      (HasExposure(b, breach::v1::EXPOSURE_TYPE_DELETION) ||
       HasExposure(b, breach::v1::EXPOSURE_TYPE_THEFT))) {
    return absl::InvalidArgumentError(
        "facts.availability_loss: NONE contradicts a deletion or theft without backup");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRiskAssessment(const breach::v1::RiskAssessment& assessment) {
  RETURN_IF_ERROR(ValidateAllegatoB(assessment.allegato_b()));
  RETURN_IF_ERROR(ValidateFacts(assessment.allegato_b(), assessment.facts()));
  for (int i = 0; i < assessment.overrides_size(); ++i) {
    const auto& o = assessment.overrides(i);
    if (o.duty() == breach::v1::DUTY_KIND_UNSPECIFIED || !breach::v1::DutyKind_IsValid(o.duty())) {
      return absl::InvalidArgumentError(
          absl::StrCat("overrides[", i, "].duty: unknown value ", o.duty()));
    }
    if (o.reason().find_first_not_of(" \t\n") == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("overrides[", i, "].reason: a written reason is required to override a "
                       "decision"));
    }
  }
  for (int i = 0; i < assessment.submissions_size(); ++i) {
    const auto& s = assessment.submissions(i);
    if (s.duty() == breach::v1::DUTY_KIND_UNSPECIFIED || !breach::v1::DutyKind_IsValid(s.duty())) {
      return absl::InvalidArgumentError(
          absl::StrCat("submissions[", i, "].duty: unknown value ", s.duty()));
    }
    if (!s.has_sent_at()) {
      return absl::InvalidArgumentError(absl::StrCat("submissions[", i, "].sent_at: required"));
    }
  }
  return absl::OkStatus();
}

}  // namespace breachd::regulation
