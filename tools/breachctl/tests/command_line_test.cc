#include "tools/breachctl/command_line.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "tools/breachctl/output.h"

namespace breachd::breachctl {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

FlagSpec Spec() {
  FlagSpec spec;
  spec.with_value = {"output", "file", "endpoint"};
  spec.switches = {"help"};
  spec.short_names = {{'o', "output"}, {'f', "file"}};
  return spec;
}

TEST(CommandLineTest, SeparatesWordsAndFlagsInAnyOrder) {
  ASSERT_OK_AND_ASSIGN(CommandLine line,
                       ParseCommandLine({"report", "-f", "r.json", "create", "--output=json",
                                         "--endpoint", "127.0.0.1:1", "--help"},
                                        Spec()));
  EXPECT_THAT(line.words, ElementsAre("report", "create"));
  EXPECT_EQ(line.FlagOr("file", ""), "r.json");
  EXPECT_EQ(line.FlagOr("output", ""), "json");
  EXPECT_EQ(line.FlagOr("endpoint", ""), "127.0.0.1:1");
  EXPECT_EQ(line.FlagOr("help", ""), "true");
}

TEST(CommandLineTest, DashAloneIsAWordAndDoubleDashEndsFlags) {
  ASSERT_OK_AND_ASSIGN(CommandLine line, ParseCommandLine({"-f", "-", "--", "-x"}, Spec()));
  EXPECT_EQ(line.FlagOr("file", ""), "-");
  EXPECT_THAT(line.words, ElementsAre("-x"));
}

TEST(CommandLineTest, RejectsUnknownFlagsAndMissingValues) {
  EXPECT_THAT(ParseCommandLine({"--nope"}, Spec()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--nope")));
  EXPECT_THAT(ParseCommandLine({"-z"}, Spec()), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCommandLine({"breach", "list", "-o"}, Spec()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs a value")));
}

TEST(CommandLineTest, AcceptsEveryFormOfAValue) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"-ojson"},
                                             {"-o=json"},
                                             {"-o", "json"},
                                             {"--output", "json"},
                                             {"--output=json"}}) {
    ASSERT_OK_AND_ASSIGN(CommandLine line, ParseCommandLine(args, Spec()));
    EXPECT_EQ(line.FlagOr("output", ""), "json") << args[0];
    EXPECT_TRUE(line.words.empty()) << args[0];
  }
}

TEST(CommandLineTest, AShortSwitchTakesNoAttachedValue) {
  FlagSpec spec = Spec();
  spec.short_names['h'] = "help";
  ASSERT_OK_AND_ASSIGN(CommandLine line, ParseCommandLine({"-h"}, spec));
  EXPECT_EQ(line.FlagOr("help", ""), "true");
  EXPECT_THAT(ParseCommandLine({"-hx"}, spec),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-hx")));
}

TEST(OutputTest, OneLineJoinsLines) {
  EXPECT_EQ(OneLine("a\nb\r\nc\td"), "a b c d");
}

TEST(OutputTest, ShortenNeverSplitsAUtf8Character) {
  EXPECT_EQ(Shorten("perché", 20), "perché");
  const std::string cut = Shorten("àààààààààà", 8);  // each à is two bytes
  EXPECT_EQ(cut, "àà...");  // 8 bytes at most: two characters and the ellipsis
}

}  // namespace
}  // namespace breachd::breachctl
