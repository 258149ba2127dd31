#include "libs/regulation/severity.h"

#include <ostream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/regulation/tests/test_inputs.h"

namespace breachd::regulation {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;
using testing::Assessment;

const SeverityParams kParams{.large_volume_subjects = 500};

double FactorValue(const breach::v1::SeverityAssessment& s, const std::string& name) {
  for (const auto& f : s.factors()) {
    if (f.name() == name) return f.value();
  }
  ADD_FAILURE() << "no factor " << name;
  return -99;
}

struct ScoreCase {
  std::string name;
  std::string input;
  double score;
  breach::v1::SeverityBand band;
};

// Names the case in test listings instead of gtest's raw bytes.
void PrintTo(const ScoreCase& c, std::ostream* os) { *os << c.name; }

class SeverityScoreTest : public ::testing::TestWithParam<ScoreCase> {};

TEST_P(SeverityScoreTest, ScoresAndBands) {
  const auto result = AssessSeverity(Assessment(GetParam().input), kParams);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_DOUBLE_EQ(result->score(), GetParam().score);
  EXPECT_EQ(result->band(), GetParam().band);
  EXPECT_EQ(result->method(), "ENISA 2013");
}

// Band edges are exact: 2.0 is medium, 3.0 high, 4.0 very high.
INSTANTIATE_TEST_SUITE_P(
    BandBoundaries, SeverityScoreTest,
    ::testing::Values(
        ScoreCase{"simple_read_trusted",
                  "allegato_b { exposure_types: EXPOSURE_TYPE_READ data_nature: DATA_NATURE_SIMPLE }"
                  " facts { recipient: RECIPIENT_TRUST_TRUSTED cause: BREACH_CAUSE_ACCIDENTAL }",
                  1.25, breach::v1::SEVERITY_BAND_LOW},
        ScoreCase{"just_below_medium_1_75",
                  "allegato_b { exposure_types: [EXPOSURE_TYPE_READ, EXPOSURE_TYPE_ALTERATION] "
                  "data_nature: DATA_NATURE_SIMPLE } facts { recipient: RECIPIENT_TRUST_UNKNOWN "
                  "backup_available: true }",
                  1.75, breach::v1::SEVERITY_BAND_LOW},
        ScoreCase{"exactly_2_is_medium",
                  "allegato_b { exposure_types: EXPOSURE_TYPE_DELETION data_nature: "
                  "DATA_NATURE_PROFILE } facts { backup_available: true }",
                  2.0, breach::v1::SEVERITY_BAND_MEDIUM},
        ScoreCase{"just_below_high_2_75",
                  "allegato_b { exposure_types: [EXPOSURE_TYPE_READ, EXPOSURE_TYPE_ALTERATION] "
                  "data_nature: DATA_NATURE_PROFILE } facts { recipient: RECIPIENT_TRUST_UNKNOWN "
                  "backup_available: true }",
                  2.75, breach::v1::SEVERITY_BAND_MEDIUM},
        ScoreCase{"exactly_3_is_high",
                  "allegato_b { exposure_types: EXPOSURE_TYPE_DELETION data_nature: "
                  "DATA_NATURE_FINANCIAL } facts { backup_available: true }",
                  3.0, breach::v1::SEVERITY_BAND_HIGH},
        ScoreCase{"just_below_very_high_3_75",
                  "allegato_b { exposure_types: [EXPOSURE_TYPE_READ, EXPOSURE_TYPE_ALTERATION] "
                  "data_nature: DATA_NATURE_IDENTITY_THEFT } facts { recipient: "
                  "RECIPIENT_TRUST_UNKNOWN backup_available: true }",
                  3.75, breach::v1::SEVERITY_BAND_HIGH},
        ScoreCase{"exactly_4_is_very_high",
                  "allegato_b { exposure_types: EXPOSURE_TYPE_DELETION data_nature: "
                  "DATA_NATURE_SPECIAL_CATEGORY } facts { backup_available: true }",
                  4.0, breach::v1::SEVERITY_BAND_VERY_HIGH},
        ScoreCase{"maximum_6",
                  "allegato_b { exposure_types: [EXPOSURE_TYPE_THEFT, EXPOSURE_TYPE_ALTERATION] "
                  "data_nature: DATA_NATURE_CRIMINAL } facts { recipient: RECIPIENT_TRUST_UNKNOWN "
                  "cause: BREACH_CAUSE_MALICIOUS }",
                  6.0, breach::v1::SEVERITY_BAND_VERY_HIGH}),
    [](const auto& info) { return info.param.name; });

TEST(SeverityBandTest, BandOfIsExactAtEdges) {
  EXPECT_EQ(BandOf(1.99), breach::v1::SEVERITY_BAND_LOW);
  EXPECT_EQ(BandOf(2.0), breach::v1::SEVERITY_BAND_MEDIUM);
  EXPECT_EQ(BandOf(2.99), breach::v1::SEVERITY_BAND_MEDIUM);
  EXPECT_EQ(BandOf(3.0), breach::v1::SEVERITY_BAND_HIGH);
  EXPECT_EQ(BandOf(3.99), breach::v1::SEVERITY_BAND_HIGH);
  EXPECT_EQ(BandOf(4.0), breach::v1::SEVERITY_BAND_VERY_HIGH);
}

struct FactorCase {
  std::string name;
  std::string input;
  std::string factor;
  double value;
};

// Names the case in test listings instead of gtest's raw bytes.
void PrintTo(const FactorCase& c, std::ostream* os) { *os << c.name; }

class SeverityFactorTest : public ::testing::TestWithParam<FactorCase> {};

TEST_P(SeverityFactorTest, FactorHasValueAndBilingualReason) {
  const auto result = AssessSeverity(Assessment(GetParam().input), kParams);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_DOUBLE_EQ(FactorValue(*result, GetParam().factor), GetParam().value);
  for (const auto& f : result->factors()) {
    EXPECT_FALSE(f.reason().it().empty()) << f.name();
    EXPECT_FALSE(f.reason().en().empty()) << f.name();
  }
}

constexpr char kRead[] = "allegato_b { exposure_types: EXPOSURE_TYPE_READ ";

INSTANTIATE_TEST_SUITE_P(
    EveryFactor, SeverityFactorTest,
    ::testing::Values(
        FactorCase{"dpc_simple", std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE }",
                   "dpc.base", 1},
        FactorCase{"dpc_profile", std::string(kRead) + "data_nature: DATA_NATURE_PROFILE }",
                   "dpc.base", 2},
        FactorCase{"dpc_behavioural", std::string(kRead) + "data_nature: DATA_NATURE_BEHAVIOURAL }",
                   "dpc.base", 2},
        FactorCase{"dpc_identity_theft",
                   std::string(kRead) + "data_nature: DATA_NATURE_IDENTITY_THEFT }", "dpc.base", 3},
        FactorCase{"dpc_financial", std::string(kRead) + "data_nature: DATA_NATURE_FINANCIAL }",
                   "dpc.base", 3},
        FactorCase{"dpc_special_category",
                   std::string(kRead) +
                       "data_nature: [DATA_NATURE_SIMPLE, DATA_NATURE_SPECIAL_CATEGORY] }",
                   "dpc.base", 4},
        FactorCase{"dpc_criminal", std::string(kRead) + "data_nature: DATA_NATURE_CRIMINAL }",
                   "dpc.base", 4},
        FactorCase{"dpc_other_text_only", std::string(kRead) + "data_nature_other: \"orari\" }",
                   "dpc.base", 1},
        FactorCase{"volume_at_threshold",
                   std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE people_affected: 500 }",
                   "dpc.volume", 1},
        FactorCase{"volume_profiling",
                   std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE } facts { "
                   "volume_enables_profiling: true }",
                   "dpc.volume", 1},
        FactorCase{"vulnerable_minors",
                   std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE vulnerable_subjects: true }",
                   "dpc.vulnerable_subjects", 1},
        FactorCase{"reputation", std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE "
                   "reputation_harm: true }",
                   "dpc.sensitive_context", 1},
        FactorCase{"already_public", std::string(kRead) + "data_nature: DATA_NATURE_PROFILE } "
                   "facts { data_already_public: true }",
                   "dpc.already_public", -1},
        FactorCase{"clamp_low", std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE } "
                   "facts { data_already_public: true }",
                   "dpc.clamp", 1},
        FactorCase{"clamp_high", std::string(kRead) + "data_nature: DATA_NATURE_SPECIAL_CATEGORY "
                   "vulnerable_subjects: true }",
                   "dpc.clamp", -1},
        FactorCase{"ei_default_maximum", std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE }",
                   "ei", 1},
        FactorCase{"ei_encrypted_secure_key",
                   std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE technical_measures { "
                   "encrypted: true key_status: ENCRYPTION_KEY_STATUS_SECURE } }",
                   "ei", 0.25},
        FactorCase{"ei_encrypted_compromised_key",
                   std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE technical_measures { "
                   "encrypted: true key_status: ENCRYPTION_KEY_STATUS_COMPROMISED } }",
                   "ei", 1},
        FactorCase{"ei_pseudonymised", std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE "
                   "technical_measures { pseudonymised: true } }",
                   "ei", 0.5},
        FactorCase{"ei_pseudonymisation_reversed",
                   std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE technical_measures { "
                   "pseudonymised: true } pseudonymisation_reversed: true }",
                   "ei", 1},
        FactorCase{"ei_stated", std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE } facts { "
                   "ease_of_identification: EASE_OF_IDENTIFICATION_SIGNIFICANT }",
                   "ei", 0.75},
        FactorCase{"confidentiality_trusted", std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE"
                   " } facts { recipient: RECIPIENT_TRUST_TRUSTED }",
                   "cb.confidentiality", 0.25},
        FactorCase{"confidentiality_unknown_recipient",
                   std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE }", "cb.confidentiality",
                   0.5},
        FactorCase{"confidentiality_left_control",
                   "allegato_b { exposure_types: EXPOSURE_TYPE_OTHER data_nature: DATA_NATURE_SIMPLE"
                   " } facts { data_left_control: true recipient: RECIPIENT_TRUST_TRUSTED }",
                   "cb.confidentiality", 0.25},
        FactorCase{"confidentiality_none_on_deletion",
                   "allegato_b { exposure_types: EXPOSURE_TYPE_DELETION data_nature: "
                   "DATA_NATURE_SIMPLE } facts { backup_available: true }",
                   "cb.confidentiality", 0},
        FactorCase{"confidentiality_stated",
                   std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE } facts { "
                   "confidentiality_loss: CONFIDENTIALITY_LOSS_KNOWN_RECIPIENTS }",
                   "cb.confidentiality", 0.25},
        FactorCase{"integrity_recoverable",
                   "allegato_b { exposure_types: EXPOSURE_TYPE_ALTERATION data_nature: "
                   "DATA_NATURE_SIMPLE } facts { backup_available: true }",
                   "cb.integrity", 0.25},
        FactorCase{"integrity_irrecoverable",
                   "allegato_b { exposure_types: EXPOSURE_TYPE_ALTERATION data_nature: "
                   "DATA_NATURE_SIMPLE }",
                   "cb.integrity", 0.5},
        FactorCase{"availability_permanent",
                   "allegato_b { exposure_types: EXPOSURE_TYPE_DELETION data_nature: "
                   "DATA_NATURE_SIMPLE }",
                   "cb.availability", 0.5},
        FactorCase{"availability_temporary_with_backup",
                   "allegato_b { exposure_types: EXPOSURE_TYPE_OTHER data_nature: DATA_NATURE_SIMPLE"
                   " } facts { backup_available: true unavailability_hours: 8 }",
                   "cb.availability", 0.25},
        FactorCase{"availability_none_restored",
                   "allegato_b { exposure_types: EXPOSURE_TYPE_DELETION data_nature: "
                   "DATA_NATURE_SIMPLE } facts { backup_available: true }",
                   "cb.availability", 0},
        FactorCase{"malicious", std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE } facts { "
                   "cause: BREACH_CAUSE_MALICIOUS }",
                   "cb.malicious_intent", 0.5},
        FactorCase{"accidental", std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE } facts { "
                   "cause: BREACH_CAUSE_ACCIDENTAL }",
                   "cb.malicious_intent", 0}),
    [](const auto& info) { return info.param.name; });

TEST(SeverityFactorTest, VolumeBelowThresholdAddsNothing) {
  const auto result = AssessSeverity(
      Assessment(std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE people_affected: 499 }"),
      kParams);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->data_processing_context(), 1);
}

TEST(SeverityFactorTest, ScoreIsDpcTimesEiPlusCb) {
  // Lost laptop, pupils' health data, unencrypted: DPC 4 (clamped), EI 1, CB 0.5 + 0.5.
  const auto result = AssessSeverity(
      Assessment("allegato_b { exposure_types: EXPOSURE_TYPE_THEFT data_nature: "
                 "DATA_NATURE_SPECIAL_CATEGORY vulnerable_subjects: true people_affected: 25 }"),
      kParams);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->data_processing_context(), 4);
  EXPECT_DOUBLE_EQ(result->ease_of_identification(), 1.0);
  EXPECT_DOUBLE_EQ(result->circumstances(), 1.0);
  EXPECT_DOUBLE_EQ(result->score(), 5.0);
}

// The regime's ENISA thresholds as gdpr-it sets them (regimes/gdpr-it/2026-11.json).
const SeverityParams kRegimeParams{
    .large_volume_subjects = 500, .small_volume_records = 5, .short_unavailability_hours = 24};

struct MethodCase {
  std::string name;
  std::string input;
  std::string factor;
  double value;
  double score;
};

void PrintTo(const MethodCase& c, std::ostream* os) { *os << c.name; }

class SeverityMethodTest : public ::testing::TestWithParam<MethodCase> {};

TEST_P(SeverityMethodTest, FactorAndScore) {
  const auto result = AssessSeverity(Assessment(GetParam().input), kRegimeParams);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_DOUBLE_EQ(FactorValue(*result, GetParam().factor), GetParam().value);
  EXPECT_DOUBLE_EQ(result->score(), GetParam().score);
}

constexpr char kCopied[] = "allegato_b { exposure_types: EXPOSURE_TYPE_COPY ";

// (a) unintelligible data, (b) proportion, (c) combinations that enable fraud, and the length
// of an unavailability: the blind spots the EDPB cases showed (edpb_cases_test.cc).
INSTANTIATE_TEST_SUITE_P(
    EdpbBlindSpots, SeverityMethodTest,
    ::testing::Values(
        MethodCase{"unintelligible_no_confidentiality_loss",
                   std::string(kCopied) + "data_nature: DATA_NATURE_IDENTITY_THEFT } facts { "
                   "data_left_control: true only_unintelligible_data_left: true }",
                   "cb.confidentiality", 0, 0.75},
        MethodCase{"unintelligible_negligible_ei",
                   std::string(kCopied) + "data_nature: DATA_NATURE_IDENTITY_THEFT } facts { "
                   "only_unintelligible_data_left: true }",
                   "ei", 0.25, 0.75},
        MethodCase{"unintelligible_malice_aggravates_nothing",
                   std::string(kCopied) + "data_nature: DATA_NATURE_IDENTITY_THEFT } facts { "
                   "only_unintelligible_data_left: true cause: BREACH_CAUSE_MALICIOUS }",
                   "cb.malicious_intent", 0, 0.75},
        MethodCase{"unintelligible_but_data_lost_keeps_malice",
                   "allegato_b { exposure_types: [EXPOSURE_TYPE_COPY, EXPOSURE_TYPE_ALTERATION] "
                   "data_nature: DATA_NATURE_SIMPLE } facts { only_unintelligible_data_left: true "
                   "cause: BREACH_CAUSE_MALICIOUS }",
                   "cb.malicious_intent", 0.5, 2.0},
        MethodCase{"encrypted_but_data_lost_ei_maximum",
                   "allegato_b { exposure_types: EXPOSURE_TYPE_DELETION data_nature: "
                   "DATA_NATURE_SIMPLE technical_measures { encrypted: true key_status: "
                   "ENCRYPTION_KEY_STATUS_SECURE } }",
                   "ei", 1, 1.5},
        MethodCase{"minor_special_category",
                   std::string(kRead) + "data_nature: DATA_NATURE_SPECIAL_CATEGORY } facts { "
                   "recipient: RECIPIENT_TRUST_TRUSTED most_sensitive_seriousness: "
                   "DATA_SERIOUSNESS_MINOR }",
                   "dpc.seriousness", -1, 3.25},
        MethodCase{"serious_special_category_full_weight",
                   std::string(kRead) + "data_nature: DATA_NATURE_SPECIAL_CATEGORY } facts { "
                   "recipient: RECIPIENT_TRUST_TRUSTED most_sensitive_seriousness: "
                   "DATA_SERIOUSNESS_SERIOUS }",
                   "dpc.base", 4, 4.25},
        MethodCase{"few_sensitive_records",
                   std::string(kRead) + "data_nature: DATA_NATURE_SPECIAL_CATEGORY } facts { "
                   "recipient: RECIPIENT_TRUST_TRUSTED most_sensitive_records: 5 }",
                   "dpc.small_volume", -1, 3.25},
        MethodCase{"mild_and_few",
                   std::string(kRead) + "data_nature: DATA_NATURE_SPECIAL_CATEGORY } facts { "
                   "recipient: RECIPIENT_TRUST_TRUSTED most_sensitive_records: 2 "
                   "most_sensitive_seriousness: DATA_SERIOUSNESS_MINOR }",
                   "dpc.small_volume", -1, 2.25},
        MethodCase{"fraud_combination_of_simple_data",
                   std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE } facts { "
                   "combination_enables_fraud: true }",
                   "dpc.fraud_combination", 2, 3.5},
        MethodCase{"fraud_combination_of_profile_data",
                   std::string(kRead) + "data_nature: DATA_NATURE_PROFILE } facts { "
                   "combination_enables_fraud: true }",
                   "dpc.fraud_combination", 1, 3.5},
        MethodCase{"short_unavailability_recovered",
                   "allegato_b { exposure_types: EXPOSURE_TYPE_OTHER data_nature: DATA_NATURE_SIMPLE"
                   " } facts { backup_available: true unavailability_hours: 24 }",
                   "cb.availability", 0, 1.0},
        MethodCase{"days_of_unavailability",
                   "allegato_b { exposure_types: EXPOSURE_TYPE_OTHER data_nature: DATA_NATURE_SIMPLE"
                   " } facts { backup_available: true unavailability_hours: 25 }",
                   "cb.availability", 0.25, 1.25},
        MethodCase{"altered_restored_within_hours",
                   "allegato_b { exposure_types: EXPOSURE_TYPE_ALTERATION data_nature: "
                   "DATA_NATURE_SIMPLE } facts { backup_available: true unavailability_hours: 8 }",
                   "cb.integrity", 0, 1.0},
        MethodCase{"altered_restored_after_days",
                   "allegato_b { exposure_types: EXPOSURE_TYPE_ALTERATION data_nature: "
                   "DATA_NATURE_SIMPLE } facts { backup_available: true unavailability_hours: 72 }",
                   "cb.integrity", 0.25, 1.5}),
    [](const auto& info) { return info.param.name; });

TEST(SeverityFactorTest, FraudCombinationDoesNotLowerSensitiveData) {
  const auto result = AssessSeverity(
      Assessment(std::string(kRead) + "data_nature: DATA_NATURE_SPECIAL_CATEGORY } facts { "
                 "combination_enables_fraud: true }"),
      kRegimeParams);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->data_processing_context(), 4);
  for (const auto& f : result->factors()) EXPECT_NE(f.name(), "dpc.fraud_combination");
}

TEST(SeverityFactorTest, SmallVolumeNeedsTheRegimeThreshold) {
  const auto input = Assessment(std::string(kRead) + "data_nature: DATA_NATURE_SPECIAL_CATEGORY } "
                                "facts { most_sensitive_records: 6 }");
  const auto above = AssessSeverity(input, kRegimeParams);
  const auto disabled = AssessSeverity(input, kParams);
  ASSERT_TRUE(above.ok() && disabled.ok());
  EXPECT_EQ(above->data_processing_context(), 4);
  EXPECT_EQ(disabled->data_processing_context(), 4);
}

struct MarginCase {
  std::string input;
  double edge;
  double distance;
};

TEST(SeverityMarginTest, ReportsTheNearestBandEdge) {
  const MarginCase cases[] = {
      // 1.25: low, 0.75 below the art. 33 edge.
      {std::string(kRead) + "data_nature: DATA_NATURE_SIMPLE } facts { recipient: "
       "RECIPIENT_TRUST_TRUSTED }", 2.0, 0.75},
      // 2.0 exactly: on the edge.
      {"allegato_b { exposure_types: EXPOSURE_TYPE_DELETION data_nature: DATA_NATURE_PROFILE } "
       "facts { backup_available: true }", 2.0, 0.0},
      // 3.25: 0.25 above the high edge.
      {std::string(kRead) + "data_nature: DATA_NATURE_FINANCIAL } facts { recipient: "
       "RECIPIENT_TRUST_TRUSTED }", 3.0, 0.25},
      // 6: the maximum, 2 above the very-high edge.
      {"allegato_b { exposure_types: [EXPOSURE_TYPE_THEFT, EXPOSURE_TYPE_ALTERATION] data_nature: "
       "DATA_NATURE_CRIMINAL } facts { recipient: RECIPIENT_TRUST_UNKNOWN cause: "
       "BREACH_CAUSE_MALICIOUS }", 4.0, 2.0},
  };
  for (const auto& c : cases) {
    const auto result = AssessSeverity(Assessment(c.input), kParams);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_TRUE(result->has_nearest_band_edge() && result->has_band_edge_distance());
    EXPECT_DOUBLE_EQ(result->nearest_band_edge(), c.edge) << c.input;
    EXPECT_DOUBLE_EQ(result->band_edge_distance(), c.distance) << c.input;
  }
}

struct BadInputCase {
  std::string name;
  std::string input;
  std::string field;
};

// Names the case in test listings instead of gtest's raw bytes.
void PrintTo(const BadInputCase& c, std::ostream* os) { *os << c.name; }

class SeverityBadInputTest : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(SeverityBadInputTest, IsInvalidArgumentNamingTheField) {
  EXPECT_THAT(AssessSeverity(Assessment(GetParam().input), kParams),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(GetParam().field)));
}

constexpr char kSimpleRead[] =
    "allegato_b { exposure_types: EXPOSURE_TYPE_READ data_nature: DATA_NATURE_SIMPLE ";

INSTANTIATE_TEST_SUITE_P(
    Rejected, SeverityBadInputTest,
    ::testing::Values(
        BadInputCase{"negative_people", std::string(kSimpleRead) + "people_affected: -1 }",
                     "allegato_b.people_affected"},
        BadInputCase{"negative_records", std::string(kSimpleRead) + "} facts { records_approx: -5 }",
                     "facts.records_approx"},
        BadInputCase{"negative_unavailability",
                     std::string(kSimpleRead) + "} facts { unavailability_hours: -2 }",
                     "facts.unavailability_hours"},
        BadInputCase{"unknown_category",
                     "allegato_b { exposure_types: EXPOSURE_TYPE_READ data_nature: 42 }",
                     "allegato_b.data_nature[0]"},
        BadInputCase{"unspecified_exposure",
                     "allegato_b { exposure_types: EXPOSURE_TYPE_UNSPECIFIED data_nature: "
                     "DATA_NATURE_SIMPLE }",
                     "allegato_b.exposure_types[0]"},
        BadInputCase{"no_exposure", "allegato_b { data_nature: DATA_NATURE_SIMPLE }",
                     "allegato_b.exposure_types"},
        BadInputCase{"no_data_nature", "allegato_b { exposure_types: EXPOSURE_TYPE_READ }",
                     "allegato_b.data_nature"},
        BadInputCase{"unknown_cause", std::string(kSimpleRead) + "} facts { cause: 9 }",
                     "facts.cause"},
        BadInputCase{"no_confidentiality_loss_but_stolen",
                     "allegato_b { exposure_types: EXPOSURE_TYPE_THEFT data_nature: "
                     "DATA_NATURE_SIMPLE } facts { confidentiality_loss: CONFIDENTIALITY_LOSS_NONE }",
                     "facts.confidentiality_loss"},
        BadInputCase{"no_confidentiality_loss_but_left_control",
                     "allegato_b { exposure_types: EXPOSURE_TYPE_OTHER data_nature: "
                     "DATA_NATURE_SIMPLE } facts { confidentiality_loss: CONFIDENTIALITY_LOSS_NONE "
                     "data_left_control: true }",
                     "facts.confidentiality_loss"},
        BadInputCase{"no_recipient_but_read",
                     std::string(kSimpleRead) + "} facts { recipient: RECIPIENT_TRUST_NONE }",
                     "facts.recipient"},
        BadInputCase{"no_integrity_loss_but_altered",
                     "allegato_b { exposure_types: EXPOSURE_TYPE_ALTERATION data_nature: "
                     "DATA_NATURE_SIMPLE } facts { integrity_loss: INTEGRITY_LOSS_NONE }",
                     "facts.integrity_loss"},
        BadInputCase{"no_availability_loss_but_deleted_without_backup",
                     "allegato_b { exposure_types: EXPOSURE_TYPE_DELETION data_nature: "
                     "DATA_NATURE_SIMPLE } facts { availability_loss: AVAILABILITY_LOSS_NONE }",
                     "facts.availability_loss"},
        BadInputCase{"key_status_without_encryption",
                     std::string(kSimpleRead) +
                         "technical_measures { key_status: ENCRYPTION_KEY_STATUS_SECURE } }",
                     "allegato_b.technical_measures.key_status"},
        BadInputCase{"high_risk_removed_without_measures",
                     std::string(kSimpleRead) + "high_risk_no_longer_likely: true }",
                     "allegato_b.measures_against_high_risk"},
        BadInputCase{"override_without_reason",
                     std::string(kSimpleRead) +
                         "} overrides { duty: DUTY_KIND_AUTHORITY_NOTIFICATION required: true }",
                     "overrides[0].reason"},
        BadInputCase{"unintelligible_but_recipients_stated",
                     std::string(kSimpleRead) + "} facts { only_unintelligible_data_left: true "
                     "confidentiality_loss: CONFIDENTIALITY_LOSS_UNKNOWN_RECIPIENTS }",
                     "facts.only_unintelligible_data_left"},
        BadInputCase{"unintelligible_but_key_compromised",
                     std::string(kSimpleRead) + "technical_measures { encrypted: true key_status: "
                     "ENCRYPTION_KEY_STATUS_COMPROMISED } } facts { only_unintelligible_data_left: "
                     "true }",
                     "facts.only_unintelligible_data_left"},
        BadInputCase{"unintelligible_but_pseudonymisation_reversed",
                     std::string(kSimpleRead) + "pseudonymisation_reversed: true } facts { "
                     "only_unintelligible_data_left: true }",
                     "facts.only_unintelligible_data_left"},
        BadInputCase{"unknown_seriousness",
                     std::string(kSimpleRead) + "} facts { most_sensitive_seriousness: 7 }",
                     "facts.most_sensitive_seriousness"},
        BadInputCase{"negative_sensitive_records",
                     std::string(kSimpleRead) + "} facts { most_sensitive_records: -1 }",
                     "facts.most_sensitive_records"},
        BadInputCase{"more_sensitive_records_than_records",
                     std::string(kSimpleRead) + "} facts { records_approx: 3 "
                     "most_sensitive_records: 4 }",
                     "facts.most_sensitive_records"},
        BadInputCase{"submission_without_time",
                     std::string(kSimpleRead) +
                         "} submissions { duty: DUTY_KIND_AUTHORITY_NOTIFICATION }",
                     "submissions[0].sent_at"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace breachd::regulation
