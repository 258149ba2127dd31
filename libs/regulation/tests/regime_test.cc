#include "libs/regulation/regime.h"

#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/regulation/regime_loader.h"
#include "libs/regulation/tests/test_inputs.h"

namespace breachd::regulation {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;
using testing::RegimeFromText;

TEST(RegimeFilesTest, RepositoryRegimesLoadAndFormAValidSet) {
  const auto regimes = LoadRegimeDirectory(testing::RepoPath("regimes"));
  ASSERT_THAT(regimes, IsOk());
  ASSERT_EQ(regimes->size(), 3u);
  EXPECT_THAT(ValidateRegimeSet(*regimes), IsOk());
  std::vector<std::string> refs;
  for (const auto& r : *regimes) refs.push_back(RegimeRef(r));
  EXPECT_THAT(refs, ::testing::UnorderedElementsAre("gdpr-it@2026-11", "processor-contract@2026-01",
                                                    "nis2-it@2026-01"));
}

// A minimal valid regime as JSON, with a slot for the field under test.
std::string RegimeJson(const std::string& extra, const std::string& duty_extra = "",
                       const std::string& classification =
                           R"([{"minScore": 0, "classification": 1}, {"minScore": 2, "classification": 2}])") {
  return R"({"id": "gdpr-it", "version": "2026-01", "timeZone": "Europe/Rome",
             "scope": "REGIME_SCOPE_ALWAYS", "classification": )" +
         classification + R"j(, "duties": [{"duty": "DUTY_KIND_AUTHORITY_NOTIFICATION",
             "legalBasis": "GDPR art. 33(1)", "recipient": {"it": "Garante", "en": "Garante"},
             "minScore": 2, "clockStart": "CLOCK_START_CONTROLLER_AWARENESS", "dueHours": 72)j" +
         duty_extra + "}]" + extra + "}";
}

TEST(ParseRegimeJsonTest, AcceptsAMinimalRegime) {
  EXPECT_THAT(ParseRegimeJson(RegimeJson(""), "test.json"), IsOk());
}

struct BadRegimeCase {
  std::string name;
  std::string json;
  std::string message;
};

// Names the case in test listings instead of gtest's raw bytes.
void PrintTo(const BadRegimeCase& c, std::ostream* os) { *os << c.name; }

class BadRegimeTest : public ::testing::TestWithParam<BadRegimeCase> {};

TEST_P(BadRegimeTest, IsRejectedWithAClearError) {
  EXPECT_THAT(ParseRegimeJson(GetParam().json, "regimes/x/1.json"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("regimes/x/1.json"),
                                        HasSubstr(GetParam().message))));
}

INSTANTIATE_TEST_SUITE_P(
    Rejected, BadRegimeTest,
    ::testing::Values(
        BadRegimeCase{"not_json", "{ id: ", "not a valid regime file"},
        BadRegimeCase{"negative_small_volume", RegimeJson(R"(, "smallVolumeRecords": -1)"),
                      "small_volume_records"},
        BadRegimeCase{"negative_short_unavailability",
                      RegimeJson(R"(, "shortUnavailabilityHours": -24)"),
                      "short_unavailability_hours"},
        BadRegimeCase{"unknown_field", RegimeJson(R"(, "deadline": 72)"), "not a valid regime file"},
        BadRegimeCase{"unknown_enum",
                      R"({"id": "a", "version": "1", "timeZone": "Europe/Rome", "scope": "REGIME_SCOPE_MARS"})",
                      "not a valid regime file"},
        BadRegimeCase{"missing_id", R"({"version": "1", "timeZone": "Europe/Rome"})", "id:"},
        BadRegimeCase{"bad_scope",
                      R"({"id": "a", "version": "1", "timeZone": "Europe/Rome"})", "scope:"},
        BadRegimeCase{"first_threshold_not_zero",
                      RegimeJson("", "", R"([{"minScore": 1, "classification": 1}])"),
                      "classification[0].min_score"},
        BadRegimeCase{"thresholds_not_ascending",
                      RegimeJson("", "",
                                 R"([{"minScore": 0, "classification": 1}, {"minScore": 0, "classification": 2}])"),
                      "classification[1].min_score"},
        BadRegimeCase{"classes_out_of_order",
                      RegimeJson("", "",
                                 R"([{"minScore": 0, "classification": 1}, {"minScore": 2, "classification": 3}])"),
                      "classification[1].classification"},
        BadRegimeCase{"threshold_above_max",
                      RegimeJson("", "",
                                 R"([{"minScore": 0, "classification": 1}, {"minScore": 7, "classification": 2}])"),
                      "classification[1].min_score"},
        BadRegimeCase{"negative_hours", RegimeJson("", R"(, "dueHours": -1)"),
                      "duties[0].due_hours: must not be negative"},
        BadRegimeCase{"hours_and_months", RegimeJson("", R"(, "dueMonths": 1)"),
                      "duties[0].due_months"},
        BadRegimeCase{"warn_fraction_too_big", RegimeJson("", R"(, "warnAtFractions": [0.5, 1.0])"),
                      "duties[0].warn_at_fractions[1]"},
        BadRegimeCase{"warn_fractions_descending",
                      RegimeJson("", R"(, "warnAtFractions": [0.75, 0.5])"),
                      "duties[0].warn_at_fractions[1]"},
        BadRegimeCase{"no_recipient_en",
                      R"({"id": "a", "version": "1", "timeZone": "Europe/Rome",
                          "scope": "REGIME_SCOPE_NIS2", "duties": [{"duty": "DUTY_KIND_CSIRT_NOTIFICATION",
                          "legalBasis": "NIS2", "recipient": {"it": "CSIRT Italia"}}]})",
                      "duties[0].recipient"},
        BadRegimeCase{"no_duties",
                      R"({"id": "a", "version": "1", "timeZone": "Europe/Rome", "scope": "REGIME_SCOPE_NIS2"})",
                      "duties: at least one"},
        BadRegimeCase{"negative_volume", RegimeJson(R"(, "largeVolumeSubjects": -3)"),
                      "large_volume_subjects"}),
    [](const auto& info) { return info.param.name; });

TEST(ValidateRegimeTest, ClockWithoutStartIsRejected) {
  auto regime = RegimeFromText(
      R"(id: "a" version: "1" time_zone: "Europe/Rome" scope: REGIME_SCOPE_ALWAYS
         duties { duty: DUTY_KIND_REGISTER_ENTRY legal_basis: "x" recipient { it: "r" en: "r" }
                  due_hours: 5 })");
  EXPECT_THAT(ValidateRegime(regime),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duties[0].clock_start")));
}

TEST(ValidateRegimeTest, DutyListedTwiceIsRejected) {
  auto regime = RegimeFromText(
      R"(id: "a" version: "1" time_zone: "Europe/Rome" scope: REGIME_SCOPE_ALWAYS
         duties { duty: DUTY_KIND_REGISTER_ENTRY legal_basis: "x" recipient { it: "r" en: "r" } }
         duties { duty: DUTY_KIND_REGISTER_ENTRY legal_basis: "x" recipient { it: "r" en: "r" } })");
  EXPECT_THAT(ValidateRegime(regime),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duties[1].duty: listed twice")));
}

TEST(ValidateRegimeSetTest, RejectsInconsistentSets) {
  auto regimes = testing::RepoRegimes();
  ASSERT_EQ(regimes.size(), 3u);

  auto twice = regimes;
  twice.push_back(regimes[0]);
  EXPECT_THAT(ValidateRegimeSet(twice), StatusIs(absl::StatusCode::kInvalidArgument));

  std::vector<breach::v1::Regime> no_classification;
  for (const auto& r : regimes) {
    if (r.classification_size() == 0) no_classification.push_back(r);
  }
  EXPECT_THAT(ValidateRegimeSet(no_classification),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("classification")));

  auto other_zone = regimes;
  other_zone[1].set_time_zone("Europe/Berlin");
  EXPECT_THAT(ValidateRegimeSet(other_zone),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("time_zone")));

  auto shared_duty = regimes;
  for (auto& r : shared_duty) {
    if (r.classification_size() == 0) {
      r.mutable_duties(0)->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
      break;
    }
  }
  EXPECT_THAT(ValidateRegimeSet(shared_duty),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("already decided")));
}

class RegimeLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_ / "gdpr-it"); }
  void Write(const std::string& relative, const std::string& text) {
    std::ofstream(dir_ / relative) << text;
  }
  breachd::testing::ScratchDir scratch_{
      ::testing::UnitTest::GetInstance()->current_test_info()->name()};
  std::filesystem::path dir_ = scratch_.path();
};

TEST_F(RegimeLoaderTest, PicksTheNewestVersion) {
  Write("gdpr-it/2026-01.json", RegimeJson(""));
  std::string newer = RegimeJson("");
  newer.replace(newer.find("2026-01"), 7, "2026-07");
  Write("gdpr-it/2026-07.json", newer);
  const auto regimes = LoadRegimeDirectory(dir_.string());
  ASSERT_THAT(regimes, IsOk());
  ASSERT_EQ(regimes->size(), 1u);
  EXPECT_EQ(RegimeRef((*regimes)[0]), "gdpr-it@2026-07");
}

TEST_F(RegimeLoaderTest, RejectsAFileWhosePathDisagreesWithItsVersion) {
  Write("gdpr-it/2027-01.json", RegimeJson(""));
  EXPECT_THAT(LoadRegimeDirectory(dir_.string()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("its path says")));
}

TEST_F(RegimeLoaderTest, MissingOrEmptyDirectoryIsNotFound) {
  EXPECT_THAT(LoadRegimeDirectory((dir_ / "nope").string()),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(LoadRegimeDirectory(dir_.string()), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace breachd::regulation
