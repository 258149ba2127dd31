#include "libs/regulation/duties.h"

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
using breach::v1::DutyKind;

const absl::Time kNow = absl::FromUnixSeconds(1774602000);  // 2026-03-27T10:00 Rome

const breach::v1::DutyDecision* FindDuty(const breach::v1::AssessmentResult& r, DutyKind kind) {
  for (const auto& d : r.duties()) {
    if (d.duty() == kind) return &d;
  }
  return nullptr;
}

constexpr char kAware[] = " awareness_time { seconds: 1774602000 }";

struct DutyCase {
  std::string name;
  std::string input;
  int classification;
  bool authority;
  bool subjects;
  breach::v1::Art34Exemption exemption;
  breach::v1::CommunicationChannel channel;
};

// Names the case in test listings instead of gtest's raw bytes.
void PrintTo(const DutyCase& c, std::ostream* os) { *os << c.name; }

class DutiesTest : public ::testing::TestWithParam<DutyCase> {};

TEST_P(DutiesTest, DecidesClassificationArt33AndArt34) {
  const RegulationEngine engine = testing::RepoEngine();
  const auto result = engine.Evaluate(Assessment(GetParam().input + kAware), kNow);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->classification(), GetParam().classification);
  EXPECT_EQ(result->classification_regime(), "gdpr-it@2026-11");
  EXPECT_FALSE(result->classification_reasons().empty());

  const auto* register_entry = FindDuty(*result, breach::v1::DUTY_KIND_REGISTER_ENTRY);
  ASSERT_NE(register_entry, nullptr);
  EXPECT_TRUE(register_entry->required()) << "the register entry is always required";

  const auto* authority = FindDuty(*result, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  ASSERT_NE(authority, nullptr);
  EXPECT_EQ(authority->required(), GetParam().authority);
  EXPECT_EQ(authority->regime(), "gdpr-it@2026-11");
  EXPECT_EQ(authority->legal_basis(), "GDPR art. 33(1)");
  EXPECT_FALSE(authority->reasons().empty());

  const auto* subjects = FindDuty(*result, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  ASSERT_NE(subjects, nullptr);
  EXPECT_EQ(subjects->required(), GetParam().subjects);
  EXPECT_EQ(subjects->exemption(), GetParam().exemption);
  EXPECT_EQ(subjects->channel(), GetParam().channel);
  for (const auto& reason : subjects->reasons()) {
    EXPECT_FALSE(reason.it().empty());
    EXPECT_FALSE(reason.en().empty());
  }
}

constexpr char kHighRisk[] =
    "allegato_b { exposure_types: EXPOSURE_TYPE_DELETION data_nature: DATA_NATURE_FINANCIAL ";

INSTANTIATE_TEST_SUITE_P(
    Cases, DutiesTest,
    ::testing::Values(
        DutyCase{"low_register_only",
                 "allegato_b { exposure_types: EXPOSURE_TYPE_READ data_nature: DATA_NATURE_SIMPLE }"
                 " facts { recipient: RECIPIENT_TRUST_TRUSTED }",
                 1, false, false, breach::v1::ART34_EXEMPTION_UNSPECIFIED,
                 breach::v1::COMMUNICATION_CHANNEL_UNSPECIFIED},
        DutyCase{"medium_notify_garante",
                 "allegato_b { exposure_types: EXPOSURE_TYPE_DELETION data_nature: "
                 "DATA_NATURE_PROFILE } facts { backup_available: true }",
                 2, true, false, breach::v1::ART34_EXEMPTION_UNSPECIFIED,
                 breach::v1::COMMUNICATION_CHANNEL_UNSPECIFIED},
        DutyCase{"high_tell_subjects_directly",
                 std::string(kHighRisk) + "} facts { backup_available: true }", 3, true, true,
                 breach::v1::ART34_EXEMPTION_UNSPECIFIED, breach::v1::COMMUNICATION_CHANNEL_DIRECT},
        DutyCase{"exemption_a_encrypted_secure_key",
                 "allegato_b { exposure_types: [EXPOSURE_TYPE_THEFT, EXPOSURE_TYPE_ALTERATION] "
                 "data_nature: DATA_NATURE_SPECIAL_CATEGORY technical_measures { encrypted: true "
                 "key_status: ENCRYPTION_KEY_STATUS_SECURE } } facts { cause: BREACH_CAUSE_MALICIOUS }",
                 3, true, false, breach::v1::ART34_EXEMPTION_UNINTELLIGIBLE,
                 breach::v1::COMMUNICATION_CHANNEL_UNSPECIFIED},
        DutyCase{"exemption_b_high_risk_removed",
                 std::string(kHighRisk) + "high_risk_no_longer_likely: true "
                 "measures_against_high_risk: \"credenziali revocate\" } facts { backup_available: true }",
                 3, true, false, breach::v1::ART34_EXEMPTION_HIGH_RISK_REMOVED,
                 breach::v1::COMMUNICATION_CHANNEL_UNSPECIFIED},
        DutyCase{"exemption_c_public_communication",
                 std::string(kHighRisk) + "} facts { backup_available: true "
                 "subjects_reachable_only_with_disproportionate_effort: true }",
                 3, true, true, breach::v1::ART34_EXEMPTION_DISPROPORTIONATE_EFFORT,
                 breach::v1::COMMUNICATION_CHANNEL_PUBLIC},
        DutyCase{"encrypted_compromised_key_no_exemption",
                 std::string(kHighRisk) + "technical_measures { encrypted: true key_status: "
                 "ENCRYPTION_KEY_STATUS_COMPROMISED } } facts { backup_available: true }",
                 3, true, true, breach::v1::ART34_EXEMPTION_UNSPECIFIED,
                 breach::v1::COMMUNICATION_CHANNEL_DIRECT}),
    [](const auto& info) { return info.param.name; });

TEST(DutiesScopeTest, ProcessorAndNis2DutiesOnlyWhenInScope) {
  const RegulationEngine engine = testing::RepoEngine();
  const std::string base = std::string(kHighRisk) + "} " + kAware +
                           " processor_awareness_time { seconds: 1774600000 }";
  auto plain = engine.Evaluate(Assessment(base + " facts { backup_available: true }"), kNow);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(FindDuty(*plain, breach::v1::DUTY_KIND_CONTROLLER_NOTICE), nullptr);
  EXPECT_EQ(FindDuty(*plain, breach::v1::DUTY_KIND_CSIRT_EARLY_WARNING), nullptr);
  EXPECT_THAT(plain->regimes(), ::testing::ElementsAre("gdpr-it@2026-11"));

  auto wide = engine.Evaluate(
      Assessment(base + " facts { backup_available: true processor_involved: true "
                        "nis2_in_scope: true }"),
      kNow);
  ASSERT_TRUE(wide.ok()) << wide.status();
  for (DutyKind kind :
       {breach::v1::DUTY_KIND_CONTROLLER_NOTICE, breach::v1::DUTY_KIND_CSIRT_EARLY_WARNING,
        breach::v1::DUTY_KIND_CSIRT_NOTIFICATION, breach::v1::DUTY_KIND_CSIRT_FINAL_REPORT}) {
    const auto* duty = FindDuty(*wide, kind);
    ASSERT_NE(duty, nullptr) << breach::v1::DutyKind_Name(kind);
    EXPECT_TRUE(duty->required());
  }
  EXPECT_EQ(FindDuty(*wide, breach::v1::DUTY_KIND_CONTROLLER_NOTICE)->regime(),
            "processor-contract@2026-01");
  EXPECT_EQ(FindDuty(*wide, breach::v1::DUTY_KIND_CSIRT_NOTIFICATION)->regime(), "nis2-it@2026-01");
}

TEST(DutiesOverrideTest, OverrideKeepsTheComputedDecisionAndTheReason) {
  const RegulationEngine engine = testing::RepoEngine();
  const auto result = engine.Evaluate(
      Assessment(std::string(kHighRisk) + "} facts { backup_available: true }" + kAware +
                 " overrides { duty: DUTY_KIND_SUBJECT_COMMUNICATION required: false "
                 "reason: \"Dati già noti alle famiglie\" decided_by: \"user:dpo\" }"),
      kNow);
  ASSERT_TRUE(result.ok()) << result.status();
  const auto* subjects = FindDuty(*result, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  ASSERT_NE(subjects, nullptr);
  EXPECT_FALSE(subjects->required());
  EXPECT_TRUE(subjects->computed_required());
  EXPECT_EQ(subjects->human_override().reason(), "Dati già noti alle famiglie");
  EXPECT_EQ(subjects->human_override().decided_by(), "user:dpo");
  EXPECT_THAT(subjects->reasons().rbegin()->it(), HasSubstr("Dati già noti alle famiglie"));
}

struct BadOverrideCase {
  std::string name;
  std::string override_text;
  std::string message;
};

// Names the case in test listings instead of gtest's raw bytes.
void PrintTo(const BadOverrideCase& c, std::ostream* os) { *os << c.name; }

class BadOverrideTest : public ::testing::TestWithParam<BadOverrideCase> {};

TEST_P(BadOverrideTest, IsRejected) {
  const RegulationEngine engine = testing::RepoEngine();
  EXPECT_THAT(engine.Evaluate(Assessment(std::string(kHighRisk) + "} facts { backup_available: "
                                         "true }" + kAware + GetParam().override_text),
                              kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Rejected, BadOverrideTest,
    ::testing::Values(
        BadOverrideCase{"no_reason",
                        " overrides { duty: DUTY_KIND_AUTHORITY_NOTIFICATION reason: \"  \" }",
                        "overrides[0].reason"},
        BadOverrideCase{"duty_out_of_scope",
                        " overrides { duty: DUTY_KIND_CSIRT_EARLY_WARNING required: true "
                        "reason: \"x\" }",
                        "overrides[0].duty"},
        BadOverrideCase{"register_cannot_be_waived",
                        " overrides { duty: DUTY_KIND_REGISTER_ENTRY required: false reason: \"x\" }",
                        "overrides[0].required"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace breachd::regulation
