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
        BadInputCase{"submission_without_time",
                     std::string(kSimpleRead) +
                         "} submissions { duty: DUTY_KIND_AUTHORITY_NOTIFICATION }",
                     "submissions[0].sent_at"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace breachd::regulation
