// breachctl end to end as a function, without a server: dispatch, help, version, completion,
// usage errors, stdin on a terminal, and the offline assess preview.
#include "tools/breachctl/app.h"

#include <algorithm>
#include <array>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/eventstore/signing_key.h"
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

// The notification commands' lines are checked before any call: a bad one is one usage line,
// exit 2, and nothing is sent (a call would fail UNAVAILABLE with exit 1: nothing listens).
CommandResult Offline(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.end(), {"--endpoint", "127.0.0.1:1", "--timeout", "2", "--insecure"});
  return Breachctl(args, input);
}

const std::string kId = "01JQ0LAPTOP000000000000000";

TEST(NotifyCommandsTest, TheDutyIsRequiredAndOneOfThree) {
  for (const char* verb : {"draft", "show", "approve", "send", "receipt"}) {
    ExpectOneLineError(Offline({"notify", verb, kId}), 2,
                       absl::StrCat("missing --duty authority|subjects|controller (see "
                                    "'breachctl help notify ",
                                    verb, "')"));
    ExpectOneLineError(Offline({"notify", verb, kId, "--duty", "garante"}), 2,
                       "--duty must be authority or subjects or controller");
  }
  ExpectOneLineError(Offline({"notify", "draft", "--duty", "authority"}), 2,
                     "missing argument; usage: breachctl notify draft BREACH_ID");
}

TEST(NotifyCommandsTest, ValidLinesReachTheServer) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"deadline", "list", "--due-within", "24h", "--overdue", "--all"},
           {"deadline", "list", "--due-within", "3d", "--tenant", "MIIS01200V", "-o", "json"},
           {"notify", "draft", kId, "--duty", "subjects", "--lang", "en", "-o", "md"},
           {"notify", "show", kId, "--duty", "authority", "--draft-version", "2", "-ojson"},
           {"notify", "approve", kId, "--duty", "authority"},
           {"notify", "send", kId, "--duty", "authority", "--request-id", "send-1"},
           {"notify", "receipt", kId, "--duty", "authority", "--protocol", "12345", "--at",
            "2026-03-28T09:30:00+01:00"},
           {"notify", "status", kId},
           {"notify", "notice", kId, "-o", "avviso.html"},
           {"school", "show", "MIIS01200V"}}) {
    ExpectOneLineError(Offline(args), 1, "UNAVAILABLE");
  }
}

TEST(BreachListTest, TheRegistersFiltersAndOrders) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"breach", "list", "--classification", "3", "--notified", "no", "--sort", "due"},
           {"breach", "list", "--overdue", "--year", "2026", "--sort", "discovered", "-o", "json"},
           {"breach", "list", "--notified", "yes", "--status", "closed", "--sort", "filed"},
           {"breach", "knowledge", "01JQ0000000000000000000000", "-o", "json"}}) {
    ExpectOneLineError(Offline(args), 1, "UNAVAILABLE");
  }
  // Each flag's own choices, named in the usage error.
  for (const auto& [flag, value, choices] : std::vector<std::array<std::string, 3>>{
           {"--classification", "4", "1 or 2 or 3"},
           {"--notified", "maybe", "yes or no"},
           {"--sort", "severity", "filed or discovered or due"}}) {
    ExpectOneLineError(Offline({"breach", "list", flag, value}), 2,
                       absl::StrCat(flag, " must be ", choices));
  }
}

TEST(NotifyCommandsTest, DurationsOfDeadlineList) {
  ExpectOneLineError(Offline({"deadline", "list", "--due-within", "soon"}), 2,
                     "--due-within: not a duration like 6h, 90m, 1h30m or 2d: \"soon\"");
  ExpectOneLineError(Offline({"deadline", "list", "--due-within", "-2h"}), 2,
                     "--due-within: not a duration");
  ExpectOneLineError(Offline({"deadline", "list", "--due-within", "0s"}), 2,
                     "--due-within must be between 1s and a year");
  ExpectOneLineError(Offline({"deadline", "list", "--due-within", "366d"}), 2,
                     "--due-within must be between 1s and a year");
}

TEST(NotifyCommandsTest, ApprovalNamesVersionAndHashTogether) {
  const std::string hash(64, 'a');
  ExpectOneLineError(Offline({"notify", "approve", kId, "--duty", "authority", "--draft-version",
                              "1"}),
                     2, "give --draft-version and --sha256 together");
  ExpectOneLineError(Offline({"notify", "approve", kId, "--duty", "authority", "--sha256", hash}),
                     2, "give --draft-version and --sha256 together");
  ExpectOneLineError(Offline({"notify", "approve", kId, "--duty", "authority", "--draft-version",
                              "1", "--sha256", "abc"}),
                     2, "--sha256 must be 64 hex digits");
  ExpectOneLineError(Offline({"notify", "approve", kId, "--duty", "authority", "--draft-version",
                              "0", "--sha256", hash}),
                     2, "--draft-version must be a positive number");
  ExpectOneLineError(Offline({"notify", "show", kId, "--duty", "authority", "--draft-version",
                              "latest"}),
                     2, "--draft-version must be a positive number");
  // --version is breachctl's: never a version line instead of an approval.
  ExpectOneLineError(Offline({"notify", "approve", kId, "--duty", "authority", "--version", "1",
                              "--sha256", hash}),
                     2, "--version is breachctl's own; a draft's version is --draft-version N");
}

TEST(NotifyCommandsTest, DraftsPrintAsMarkdownOrJson) {
  ExpectOneLineError(Offline({"notify", "draft", kId, "--duty", "authority", "-o", "table"}), 2,
                     "--output must be md or json (see 'breachctl help notify draft')");
  ExpectOneLineError(Offline({"notify", "draft", kId, "--duty", "authority", "--phase", "final"}),
                     2, "--phase must be preliminary or complete or supplementary");
  ExpectOneLineError(Offline({"notify", "draft", kId, "--duty", "authority", "--phase",
                              "supplementary"}),
                     2, "--phase supplementary needs --previous-protocol N");
  const CommandResult help = Breachctl({"notify", "draft", "--help"});
  EXPECT_THAT(help.out, HasSubstr("-o, --output md|json"));
  EXPECT_THAT(Breachctl({"notify", "notice", "--help"}).out, HasSubstr("-o, --output FILE.html"));
  EXPECT_THAT(Breachctl({"deadline", "list", "--help"}).out,
              HasSubstr("the clocks that stopped too: met, late, disarmed"));
  // Elsewhere -o keeps its choices.
  ExpectOneLineError(Offline({"notify", "status", kId, "-o", "md"}), 2,
                     "--output must be table or json");
}

TEST(NotifyCommandsTest, SendChecksTheRecipients) {
  ExpectOneLineError(Offline({"notify", "send", kId, "--duty", "authority", "--recipients",
                              std::string(BREACHD_SOURCE_DIR) + "/docs/examples/parents.csv"}),
                     2, "--recipients is only for --duty subjects");
  ExpectOneLineError(Offline({"notify", "send", kId, "--duty", "subjects", "--recipients",
                              "/nonexistent.csv"}),
                     2, "cannot read /nonexistent.csv");
}

TEST(NotifyCommandsTest, ReceiptsNeedATimeAndAProtocol) {
  ExpectOneLineError(Offline({"notify", "receipt", kId, "--duty", "authority", "--protocol", "1"}),
                     2, "missing --at TIME");
  ExpectOneLineError(Offline({"notify", "receipt", kId, "--duty", "authority", "--protocol", "1",
                              "--at", "yesterday"}),
                     2, "--at: not an RFC 3339 time");
  ExpectOneLineError(Offline({"notify", "receipt", kId, "--duty", "authority", "--at",
                              "2026-03-28T09:30:00+01:00"}),
                     2, "missing --protocol N");
  ExpectOneLineError(Offline({"notify", "receipt", kId, "--duty", "subjects", "--at",
                              "2026-03-28T09:30:00+01:00"}),
                     2, "missing --kind pec-acceptance|pec-delivery");
  ExpectOneLineError(Offline({"notify", "receipt", kId, "--duty", "authority", "--kind", "fax",
                              "--at", "2026-03-28T09:30:00+01:00"}),
                     2, "--kind must be authority-protocol or controller-acknowledged");
}

TEST(NotifyCommandsTest, SchoolSetNamesTheSchoolOnce) {
  ExpectOneLineError(Offline({"school", "set", "MIIS01200V", "-f", "-"},
                             R"({"tenant": "RMIC81500L", "name": "IC Galilei"})"),
                     2, "the file is school RMIC81500L's details, not MIIS01200V's");
  ExpectOneLineError(Offline({"school", "set", "MIIS01200V", "-f", "-"}, "{not json"), 2,
                     "the file is not a valid school profile JSON");
  ExpectOneLineError(Offline({"school", "set", "-f", "-"}, "{}"), 2, "missing argument");
  // The example has no tenant: the code on the line fills it, and the call is made.
  ExpectOneLineError(Offline({"school", "set", "MIIS01200V", "-f",
                              std::string(BREACHD_SOURCE_DIR) + "/docs/examples/school.json"}),
                     1, "UNAVAILABLE");
}

TEST(TimeLeftTest, HoursAndMinutesSignedWhenPast) {
  EXPECT_EQ(TimeLeft(absl::Hours(41) + absl::Minutes(12) + absl::Seconds(59)), "41h12m");
  EXPECT_EQ(TimeLeft(-(absl::Hours(3) + absl::Minutes(5) + absl::Seconds(10))), "-3h05m");
  EXPECT_EQ(TimeLeft(absl::Minutes(5)), "0h05m");
  EXPECT_EQ(TimeLeft(absl::ZeroDuration()), "0h00m");
  EXPECT_EQ(TimeLeft(absl::Hours(72)), "72h00m");
}

TEST(DurationFlagTest, HoursMinutesDays) {
  EXPECT_EQ(DurationFlag("due-within", "24h").value_or(absl::ZeroDuration()), absl::Hours(24));
  EXPECT_EQ(DurationFlag("due-within", "90m").value_or(absl::ZeroDuration()), absl::Minutes(90));
  EXPECT_EQ(DurationFlag("due-within", "3d").value_or(absl::ZeroDuration()), absl::Hours(72));
  EXPECT_THAT(DurationFlag("due-within", "3 days"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--due-within")));
}

// Offline key rotation: the new key endorsed by the old, the chain checked from the root;
// a chain that does not start at the root given is refused on one line.
TEST(AppTest, RotateSigningKeyWritesAChainTheKeyChainCommandFollows) {
  ::breachd::testing::ScratchDir dir("rotate");
  const std::string old_key = dir.path() + "/checkpoint.key";
  const std::string new_key = dir.path() + "/checkpoint-2.key";
  const std::string newer_key = dir.path() + "/checkpoint-3.key";
  ASSERT_THAT(eventstore::SigningKey::Generate().Save(old_key), ::breachd::testing::IsOk());
  ASSERT_OK_AND_ASSIGN(eventstore::SigningKey old, eventstore::SigningKey::Load(old_key));
  const std::string root = eventstore::ToHex(old.public_key());

  CommandResult rotated = Breachctl({"admin", "rotate-signing-key", "--checkpoint-key", old_key,
                                     "--new-checkpoint-key", new_key});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_THAT(rotated.out, HasSubstr("--signing_key_file=" + new_key));
  // A second rotation extends the chain from the newest key.
  rotated = Breachctl({"admin", "rotate-signing-key", "--checkpoint-key", new_key,
                       "--new-checkpoint-key", newer_key, "-o", "json"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_THAT(rotated.out, HasSubstr(root));

  const CommandResult followed =
      Breachctl({"admin", "key-chain", newer_key + ".chain", "--root", root});
  EXPECT_EQ(followed.exit_code, 0) << followed.err;
  EXPECT_THAT(followed.out, HasSubstr("every key is endorsed by the one before it"));
  ASSERT_OK_AND_ASSIGN(eventstore::SigningKey newer, eventstore::SigningKey::Load(newer_key));
  EXPECT_THAT(followed.out, HasSubstr(eventstore::ToHex(newer.public_key())));
  ExpectOneLineError(Breachctl({"admin", "key-chain", newer_key + ".chain", "--root",
                                eventstore::ToHex(newer.public_key())}),
                     1, "not at the trusted key");
  ExpectOneLineError(Breachctl({"admin", "rotate-signing-key", "--checkpoint-key", old_key,
                                "--new-checkpoint-key", new_key}),
                     2, "exists; name a new file");
}

TEST(AppTest, BreakGlassNeedsAReasonAndABoundedDuration) {
  ExpectOneLineError(Breachctl({"breach", "break-glass", "01KB3M9X7Q2W8E4R6T1Y5U3I0P", "--for",
                                "2h"}),
                     2, "missing --reason");
  ExpectOneLineError(Breachctl({"breach", "break-glass", "01KB3M9X7Q2W8E4R6T1Y5U3I0P", "--reason",
                                "ransomware", "--for", "25h"}),
                     2, "--for must be a duration from 1s to 24h");
  ExpectOneLineError(Breachctl({"breach", "break-glass", "01KB3M9X7Q2W8E4R6T1Y5U3I0P", "--reason",
                                "ransomware"}),
                     2, "missing --for");
}

}  // namespace
}  // namespace breachd::breachctl
