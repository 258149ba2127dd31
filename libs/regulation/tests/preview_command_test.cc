#include "libs/regulation/preview_command.h"

#include <ostream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/regulation/tests/test_inputs.h"

namespace breachd::regulation {
namespace {

using ::testing::HasSubstr;
using testing::RepoPath;

struct CommandRun {
  int code;
  std::string out;
  std::string err;
};

CommandRun Preview(std::vector<std::string> args) {
  std::ostringstream out, err;
  const FakeClock clock(absl::FromUnixSeconds(1774602000));
  const int code = RunPreviewCommand(args, out, err, clock);
  return {code, out.str(), err.str()};
}

breach::v1::AssessmentResult ParseResult(const std::string& json) {
  breach::v1::AssessmentResult result;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &result).ok()) << json;
  return result;
}

struct ExampleCase {
  std::string file;
  double score;
  int classification;
  bool authority;
  bool subjects;
};

// Names the case in test listings instead of gtest's raw bytes.
void PrintTo(const ExampleCase& c, std::ostream* os) { *os << c.file; }

class ExamplesTest : public ::testing::TestWithParam<ExampleCase> {};

// Every example in docs/examples runs through the command, so they stay valid.
TEST_P(ExamplesTest, RunsThroughThePreviewCommand) {
  const std::string file = RepoPath("docs/examples/assessment-" + GetParam().file + ".json");
  const CommandRun json = Preview({"-f", file, "-o", "json", "--now", "2026-11-01T09:00:00+01:00"});
  ASSERT_EQ(json.code, 0) << json.err;
  const auto result = ParseResult(json.out);
  EXPECT_DOUBLE_EQ(result.severity().score(), GetParam().score);
  EXPECT_EQ(result.classification(), GetParam().classification);
  for (const auto& duty : result.duties()) {
    if (duty.duty() == breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION) {
      EXPECT_EQ(duty.required(), GetParam().authority);
    }
    if (duty.duty() == breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION) {
      EXPECT_EQ(duty.required(), GetParam().subjects);
    }
  }
  EXPECT_EQ(result.deadlines().empty(), !GetParam().authority);  // register only: no clock

  const CommandRun table = Preview({"-f", file, "--lang", "en"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("SEVERITY"));
  if (GetParam().authority) {
    EXPECT_THAT(table.out, HasSubstr("DEADLINES"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    DocsExamples, ExamplesTest,
    ::testing::Values(ExampleCase{"lost-laptop-health-data", 4.5, 3, true, true},
                      ExampleCase{"email-wrong-parents", 2.25, 2, true, false},
                      ExampleCase{"ransomware-with-backups", 3.5, 3, true, false},
                      ExampleCase{"ransomware-without-backups", 4.5, 3, true, true},
                      ExampleCase{"stolen-paper-registers", 4.5, 3, true, true},
                      ExampleCase{"provider-misconfigured-access", 3.25, 3, true, true},
                      ExampleCase{"staff-list-food-intolerance", 2.25, 2, true, false},
                      ExampleCase{"portal-password-hashes", 1.0, 1, false, false}),
    [](const auto& info) {
      std::string name = info.param.file;
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

TEST(PreviewCommandTest, AwarenessFlagSetsTheClockAcrossDst) {
  const CommandRun run = Preview({"-f", RepoPath("docs/examples/assessment-email-wrong-parents.json"),
                           "--awareness", "2026-03-27T10:00:00+01:00", "-o", "json"});
  ASSERT_EQ(run.code, 0) << run.err;
  const auto result = ParseResult(run.out);
  ASSERT_FALSE(result.deadlines().empty());
  EXPECT_EQ(result.deadlines(0).due_at_local(), "2026-03-30T11:00:00+02:00");
}

// "Not required" is a decision too: proto3 JSON would drop a false boolean, so the duty's
// `required` and `computed_required` have presence and are always printed, like the margins.
// The table shows the margins in the chosen language.
TEST(PreviewCommandTest, ShowsFalseDecisionsAndMargins) {
  const std::string email = RepoPath("docs/examples/assessment-email-wrong-parents.json");
  const struct {
    std::vector<std::string> args;
    std::vector<std::string> expected;
  } runs[] = {
      {{"-f", email, "-o", "json"},
       {"\"required\": false", "\"computed_required\": false", "\"band_edge_distance\": 0.25",
        "\"threshold_margin\": -0.75"}},
      {{"-f", email, "--lang", "en"},
       {"margin 0.25 from the band edge 2.00", "threshold 2.00 (margin +0.25)"}},
      {{"-f", email}, {"margine 0.25 dal limite di fascia 2.00", "soglia 2.00 (margine +0.25)"}},
  };
  for (const auto& r : runs) {
    const CommandRun run = Preview(r.args);
    ASSERT_EQ(run.code, 0) << run.err;
    for (const auto& text : r.expected) EXPECT_THAT(run.out, HasSubstr(text));
  }
}

TEST(PreviewCommandTest, ExplicitDataDirectories) {
  const CommandRun run = Preview({"-f", RepoPath("docs/examples/assessment-email-wrong-parents.json"),
                           "--regimes=" + RepoPath("regimes"),
                           "--templates=" + RepoPath("templates")});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("gdpr-it@2026-11"));
}

struct FailureCase {
  std::string name;
  std::vector<std::string> args;
  int code;
  std::string message;
};

// Names the case in test listings instead of gtest's raw bytes.
void PrintTo(const FailureCase& c, std::ostream* os) { *os << c.name; }

class PreviewFailureTest : public ::testing::TestWithParam<FailureCase> {};

TEST_P(PreviewFailureTest, ExitsNonZeroWithOneLineOnStderr) {
  const CommandRun run = Preview(GetParam().args);
  EXPECT_EQ(run.code, GetParam().code);
  EXPECT_THAT(run.err, HasSubstr(GetParam().message));
  EXPECT_TRUE(run.out.empty());
}

const std::string kEmail = RepoPath("docs/examples/assessment-email-wrong-parents.json");

INSTANTIATE_TEST_SUITE_P(
    Failures, PreviewFailureTest,
    ::testing::Values(
        FailureCase{"no_file", {}, 2, "-f assessment.json is required"},
        FailureCase{"unknown_flag", {"-f", kEmail, "--frobnicate"}, 2, "unknown argument"},
        FailureCase{"missing_value", {"-f"}, 2, "-f needs a value"},
        FailureCase{"bad_output", {"-f", kEmail, "-o", "yaml"}, 2, "-o must be table or json"},
        FailureCase{"bad_awareness", {"-f", kEmail, "--awareness", "ieri"}, 1, "--awareness"},
        FailureCase{"missing_file", {"-f", "/nonexistent.json"}, 1, "cannot open"},
        FailureCase{"not_an_assessment", {"-f", RepoPath("regimes/gdpr-it/2026-01.json")}, 1,
                    "not a valid assessment"},
        FailureCase{"bad_regimes_dir", {"-f", kEmail, "--regimes", "/nonexistent"}, 1,
                    "regime directory not found"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace breachd::regulation
