// breachctl end to end as a function, without a server: dispatch, help, version, completion,
// usage errors, stdin on a terminal, and the offline assess preview.
#include "tools/breachctl/app.h"

#include <algorithm>
#include <sstream>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "tools/breachctl/command_table.h"
#include "tools/breachctl/commands.h"
#include "tools/breachctl/tests/cli_testing.h"

namespace breachd::breachctl {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

using ::breachd::testing::CommandResult;
using ::breachd::testing::ExpectOneLineError;

CommandResult Breachctl(const std::vector<std::string>& args, const std::string& input = "",
                        bool in_is_terminal = false) {
  std::istringstream in(input);
  std::ostringstream out, err;
  CommandResult result;
  result.exit_code = RunCli(BreachctlCli(), args, ProcessIo{in, out, err, in_is_terminal});
  result.out = out.str();
  result.err = err.str();
  return result;
}

const std::string kLaptop =
    std::string(BREACHD_SOURCE_DIR) + "/docs/examples/assessment-lost-laptop-health-data.json";

TEST(AppTest, NoArgumentsPrintsTheGlobalHelp) {
  const CommandResult run = Breachctl({});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("Commands:"));
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_EQ(Breachctl({"--help"}).out, run.out);
  EXPECT_EQ(Breachctl({"-h"}).out, run.out);
  EXPECT_EQ(Breachctl({"help"}).out, run.out);
}

TEST(AppTest, AGroupAloneListsItsSubcommands) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"breach"}, {"breach", "--help"}, {"breach", "-h"}, {"help", "breach"}}) {
    const CommandResult run = Breachctl(args);
    EXPECT_EQ(run.exit_code, 0) << args.back();
    EXPECT_THAT(run.out, AllOf(StartsWith("breachctl breach: "), HasSubstr("Subcommands:"),
                               HasSubstr("timeline")))
        << args.back();
    EXPECT_THAT(run.err, IsEmpty());
  }
}

// `help CMD`, `CMD --help` and `CMD -h` print the command's own help, for every command.
TEST(AppTest, EveryCommandHasItsOwnHelpThreeWays) {
  for (const CommandSpec& command : BreachctlCli().commands) {
    const std::string path = PathOf(command);
    std::vector<std::string> help = {"help"};
    help.insert(help.end(), command.path.begin(), command.path.end());
    const CommandResult by_help = Breachctl(help);
    EXPECT_EQ(by_help.exit_code, 0) << path;
    EXPECT_THAT(by_help.out,
                AllOf(StartsWith("breachctl " + path + ": "),
                      HasSubstr("Usage:\n  breachctl " + path), HasSubstr("Examples:")))
        << path;
    for (const char* flag : {"--help", "-h"}) {
      std::vector<std::string> args = command.path;
      args.push_back(flag);
      const CommandResult run = Breachctl(args);
      EXPECT_EQ(run.exit_code, 0) << path << " " << flag;
      EXPECT_EQ(run.out, by_help.out) << path << " " << flag;
    }
  }
}

TEST(AppTest, HelpIsThereEvenWithAMissingArgument) {
  const CommandResult run = Breachctl({"breach", "get", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, StartsWith("breachctl breach get: "));
}

TEST(AppTest, VersionTwoWays) {
  const CommandResult flag = Breachctl({"--version"});
  EXPECT_EQ(flag.exit_code, 0);
  EXPECT_THAT(flag.out, MatchesRegex(::breachd::testing::kVersionPattern));
  EXPECT_EQ(Breachctl({"version"}).out, flag.out);
}

TEST(AppTest, CompletionBashPrintsTheScript) {
  const CommandResult run = Breachctl({"completion", "bash"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("complete -F _breachctl breachctl\n"));
  ExpectOneLineError(Breachctl({"completion", "zsh"}), 2, "unsupported shell 'zsh'");
  ExpectOneLineError(Breachctl({"completion"}), 2, "missing argument");
}

TEST(AppTest, UsageErrorsAreOneLineAndExitTwo) {
  ExpectOneLineError(Breachctl({"frobnicate"}), 2,
                     "unknown command 'frobnicate' (see 'breachctl help')");
  ExpectOneLineError(Breachctl({"breach", "frob"}), 2,
                     "unknown command 'breach frob' (see 'breachctl help breach')");
  ExpectOneLineError(Breachctl({"breach", "list", "--nope"}), 2, "unknown flag --nope");
  ExpectOneLineError(Breachctl({"breach", "list", "-o", "yaml"}), 2,
                     "--output must be table or json (see 'breachctl help breach list')");
  ExpectOneLineError(Breachctl({"report", "create", "--tenant", "X"}), 2,
                     "report create does not take --tenant");
  ExpectOneLineError(Breachctl({"breach", "get"}), 2, "missing argument");
  ExpectOneLineError(Breachctl({"whoami", "--timeout", "0"}), 2, "--timeout");
  ExpectOneLineError(Breachctl({"help", "frob"}), 2, "unknown command 'frob'");
}

TEST(AppTest, ReportCreateWithoutAFileOnATerminalIsAUsageError) {
  ExpectOneLineError(Breachctl({"report", "create"}, "", /*in_is_terminal=*/true), 2,
                     "missing -f FILE (-f - reads stdin) (see 'breachctl help report create')");
}

TEST(AppTest, ReportCreateReadsStdinWithDashOrWhenPiped) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"report", "create", "-f", "-"},
                                                                {"report", "create"}}) {
    ExpectOneLineError(Breachctl(args, "{not json"), 2, "not a valid Allegato A JSON");
  }
}

// -ojson is accepted: the call is made (and fails, no server listens there) instead of a usage
// error; the failure is one line with exit code 1.
TEST(AppTest, ServerErrorsAreOneLineAndExitOne) {
  const CommandResult run =
      Breachctl({"breach", "list", "-ojson", "--endpoint", "127.0.0.1:1", "--timeout", "2"});
  ExpectOneLineError(run, 1, "UNAVAILABLE");
}

TEST(AssessPreviewCommandTest, AwareAgoMakesTheDeadlinesRelativeToNow) {
  const CommandResult run =
      Breachctl({"assess", "preview", "-f", kLaptop, "--aware-ago", "6h", "--lang=en"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("MIIS01200V"));
  EXPECT_THAT(run.out, HasSubstr("OPEN"));
  EXPECT_THAT(run.out, Not(HasSubstr("OVERDUE")));
}

TEST(AssessPreviewCommandTest, AwareAgoCountsFromNow) {
  const CommandResult run = Breachctl({"assess", "preview", "-f", kLaptop, "--aware-ago", "3d",
                                       "--now", "2026-03-30T11:00:00+02:00", "-ojson"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Aware on 2026-03-27 at 10:00 CET: the Garante is due 72 hours later, across the DST change.
  EXPECT_THAT(run.out, HasSubstr("\"starts_at\": \"2026-03-27T09:00:00Z\""));
  EXPECT_THAT(run.out, HasSubstr("\"due_at_local\": \"2026-03-30T11:00:00+02:00\""));
}

TEST(AssessPreviewCommandTest, ErrorsAreOneLine) {
  ExpectOneLineError(Breachctl({"assess", "preview"}), 2, "missing -f FILE");
  ExpectOneLineError(Breachctl({"assess", "preview", "-f", kLaptop, "--aware-ago", "soon"}), 2,
                     "--aware-ago: not a duration");
  ExpectOneLineError(Breachctl({"assess", "preview", "-f", kLaptop, "--aware-ago", "6h",
                                "--awareness", "2026-03-27T10:00:00+01:00"}),
                     2, "not both");
  ExpectOneLineError(Breachctl({"assess", "preview", "-f", kLaptop, "--lang", "de"}), 2,
                     "--lang must be it or en");
  ExpectOneLineError(Breachctl({"assess", "preview", "-f", "/nonexistent.json"}), 1,
                     "/nonexistent.json");
}

TEST(AwarenessAgoTest, DurationsAndDays) {
  const absl::Time now = absl::FromUnixSeconds(1774875600);  // 2026-03-30T13:00:00Z
  EXPECT_EQ(AwarenessAgo("6h", now).value_or(""), "2026-03-30T07:00:00+00:00");
  EXPECT_EQ(AwarenessAgo("1h30m", now).value_or(""), "2026-03-30T11:30:00+00:00");
  EXPECT_EQ(AwarenessAgo("2d", now).value_or(""), "2026-03-28T13:00:00+00:00");
  EXPECT_EQ(AwarenessAgo("0s", now).value_or(""), "2026-03-30T13:00:00+00:00");
  for (const char* bad : {"", "soon", "6", "-1h", "-2d", "d", "inf"}) {
    EXPECT_THAT(AwarenessAgo(bad, now), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace breachd::breachctl
