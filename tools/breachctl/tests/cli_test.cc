#include "tools/breachctl/cli.h"

#include <memory>
#include <fstream>
#include <set>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "tests/testing/fixtures.h"
#include "tools/breachctl/command_table.h"
#include "tools/breachctl/tests/cli_testing.h"

namespace breachd::breachctl {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

const CliSpec& Cli() { return BreachctlCli(); }

CommandLine Parse(const std::vector<std::string>& args) {
  auto line = ParseCommandLine(args, ParserFlags(Cli()));
  EXPECT_TRUE(line.ok()) << line.status();
  return line.value_or(CommandLine{});
}

TEST(ResolveTest, FindsCommandsGroupsAndUnknownWords) {
  EXPECT_EQ(Resolve(Cli(), {}).kind, Resolution::kNothing);

  const Resolution list = Resolve(Cli(), {"breach", "list"});
  ASSERT_EQ(list.kind, Resolution::kCommand);
  EXPECT_THAT(list.command->path, ElementsAre("breach", "list"));

  const Resolution verify = Resolve(Cli(), {"verify", "01JQ0LAPTOP000000000000000"});
  ASSERT_EQ(verify.kind, Resolution::kCommand);
  EXPECT_THAT(verify.command->path, ElementsAre("verify"));

  const Resolution group = Resolve(Cli(), {"breach"});
  ASSERT_EQ(group.kind, Resolution::kGroup);
  EXPECT_EQ(group.group->name, "breach");

  const Resolution sub = Resolve(Cli(), {"breach", "frob"});
  EXPECT_EQ(sub.kind, Resolution::kUnknown);
  EXPECT_EQ(sub.unknown, "breach frob");
  ASSERT_NE(sub.group, nullptr);
  EXPECT_EQ(sub.group->name, "breach");

  const Resolution unknown = Resolve(Cli(), {"frobnicate", "x"});
  EXPECT_EQ(unknown.kind, Resolution::kUnknown);
  EXPECT_EQ(unknown.unknown, "frobnicate");
}

// The table is the single source of truth: keep it whole.
TEST(CommandTableTest, EveryCommandIsDocumentedAndNamesKnownFlags) {
  std::set<std::string> flags;
  for (const FlagInfo& flag : Cli().flags) {
    EXPECT_TRUE(flags.insert(flag.name).second) << "flag twice: " << flag.name;
    EXPECT_FALSE(flag.help.empty()) << flag.name;
  }
  std::set<std::string> groups;
  for (const GroupSpec& group : Cli().groups) groups.insert(group.name);
  for (const CommandSpec& command : Cli().commands) {
    const std::string path = PathOf(command);
    EXPECT_FALSE(command.summary.empty()) << path;
    EXPECT_FALSE(command.examples.empty()) << path;
    EXPECT_NE(command.run, nullptr) << path;
    EXPECT_LE(command.min_args, command.max_args) << path;
    EXPECT_EQ(command.usage.find('\n'), std::string::npos) << path << ": usage is one line";
    if (command.path.size() == 2) {
      EXPECT_TRUE(groups.count(command.path[0])) << path;
    }
    for (const std::string& name : command.flags)
      EXPECT_TRUE(flags.count(name)) << path << " " << name;
  }
  for (const auto& list : {Cli().connection_flags, Cli().global_flags}) {
    for (const std::string& name : list) EXPECT_TRUE(flags.count(name)) << name;
  }
}

TEST(HelpTest, GlobalHelpListsEveryCommandAndHowToGetMore) {
  const std::string help = GlobalHelp(Cli());
  for (const CommandSpec& command : Cli().commands) {
    EXPECT_THAT(help, HasSubstr("  " + PathOf(command) + " ")) << PathOf(command);
  }
  EXPECT_THAT(help, HasSubstr("breachctl help COMMAND"));
  EXPECT_THAT(help, HasSubstr("source <(breachctl completion bash)"));
  EXPECT_THAT(help, HasSubstr("--endpoint HOST:PORT"));
}

TEST(HelpTest, GroupHelpListsItsSubcommands) {
  ASSERT_OK_AND_ASSIGN(const std::string help, HelpFor(Cli(), {"breach"}));
  EXPECT_THAT(help, StartsWith("breachctl breach: "));
  EXPECT_THAT(help, AllOf(HasSubstr("Subcommands:"), HasSubstr("  list "), HasSubstr("  get "),
                          HasSubstr("  timeline ")));
  EXPECT_THAT(help, Not(HasSubstr("report")));
}

TEST(HelpTest, CommandHelpHasUsageFlagsAndExamples) {
  ASSERT_OK_AND_ASSIGN(const std::string help, HelpFor(Cli(), {"report", "create"}));
  EXPECT_THAT(help, StartsWith("breachctl report create: "));
  EXPECT_THAT(help, HasSubstr("Usage:\n  breachctl report create -f FILE [--request-id ID]\n"));
  EXPECT_THAT(help, HasSubstr("-f, --file FILE"));
  EXPECT_THAT(help, HasSubstr("    --request-id ID"));
  EXPECT_THAT(help, HasSubstr("Connection flags:"));
  EXPECT_THAT(help, HasSubstr("Examples:\n"));
  EXPECT_THAT(help, HasSubstr("breachctl report create -f docs/examples/report-lost-laptop.json"));
  EXPECT_THAT(help, Not(HasSubstr("--tenant")));
}

TEST(HelpTest, OfflineCommandsListNoConnectionFlags) {
  ASSERT_OK_AND_ASSIGN(const std::string help, HelpFor(Cli(), {"assess", "preview"}));
  EXPECT_THAT(help, HasSubstr("--aware-ago DURATION"));
  EXPECT_THAT(help, HasSubstr("OVERDUE"));
  EXPECT_THAT(help, Not(HasSubstr("--endpoint")));
}

TEST(HelpTest, UnknownWordsAreNotFound) {
  EXPECT_THAT(HelpFor(Cli(), {"frobnicate"}),
              ::breachd::testing::StatusIs(absl::StatusCode::kNotFound, HasSubstr("'frobnicate'")));
  EXPECT_THAT(
      HelpFor(Cli(), {"breach", "frob"}),
      ::breachd::testing::StatusIs(absl::StatusCode::kNotFound, HasSubstr("'breach frob'")));
}

TEST(CheckCommandLineTest, FlagsMustBelongToTheCommand) {
  const CommandSpec& create = *Resolve(Cli(), {"report", "create"}).command;
  EXPECT_EQ(CheckCommandLine(Cli(), create, Parse({"report", "create", "-f", "x", "--token", "t"})),
            "");
  EXPECT_EQ(CheckCommandLine(Cli(), create, Parse({"report", "create", "--tenant", "X"})),
            "report create does not take --tenant");
  const CommandSpec& preview = *Resolve(Cli(), {"assess", "preview"}).command;
  EXPECT_EQ(CheckCommandLine(Cli(), preview, Parse({"assess", "preview", "--token", "t"})),
            "assess preview does not take --token");
}

TEST(CheckCommandLineTest, ValuesMustBeAmongTheFlagsChoices) {
  const CommandSpec& list = *Resolve(Cli(), {"breach", "list"}).command;
  EXPECT_EQ(CheckCommandLine(Cli(), list, Parse({"breach", "list", "-ojson", "--status=reported"})),
            "");
  EXPECT_EQ(CheckCommandLine(Cli(), list, Parse({"breach", "list", "-o", "yaml"})),
            "--output must be table or json");
  EXPECT_EQ(CheckCommandLine(Cli(), list, Parse({"breach", "list", "--status", "archived"})),
            "--status must be reported or triaged or assessed or decided or closed");
}

TEST(CheckCommandLineTest, CountsTheWordsAfterThePath) {
  const CommandSpec& get = *Resolve(Cli(), {"breach", "get"}).command;
  EXPECT_EQ(CheckCommandLine(Cli(), get, Parse({"breach", "get", "ID"})), "");
  EXPECT_EQ(CheckCommandLine(Cli(), get, Parse({"breach", "get"})),
            "missing argument; usage: breachctl breach get BREACH_ID");
  EXPECT_EQ(CheckCommandLine(Cli(), get, Parse({"breach", "get", "A", "B"})),
            "unexpected argument 'B'; usage: breachctl breach get BREACH_ID");
  const CommandSpec& verify = *Resolve(Cli(), {"verify"}).command;
  EXPECT_EQ(CheckCommandLine(Cli(), verify, Parse({"verify"})), "");
  EXPECT_EQ(CheckCommandLine(Cli(), verify, Parse({"verify", "A"})), "");
}

class CompletionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<::breachd::testing::ScratchDir>("completion");
    dir_ = scratch_->path();
    script_ = dir_ + "/breachctl.bash";
    std::ofstream(script_) << BashCompletion(Cli());
  }

  // COMPREPLY for the words typed so far.
  std::vector<std::string> Complete(const std::vector<std::string>& words) {
    const auto run =
        ::breachd::testing::RunCompletionProbe("cd " + dir_ + " && source " + script_, words);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_THAT(run.err, IsEmpty());
    std::vector<std::string> lines = absl::StrSplit(run.out, '\n', absl::SkipEmpty());
    EXPECT_FALSE(lines.empty());
    if (lines.empty()) return {};
    EXPECT_EQ(lines[0], "complete -F _breachctl breachctl");
    return std::vector<std::string>(lines.begin() + 1, lines.end());
  }

  std::unique_ptr<::breachd::testing::ScratchDir> scratch_;
  std::string dir_;
  std::string script_;
};

TEST_F(CompletionTest, CompletesCommandsAndSubcommands) {
  EXPECT_THAT(Complete({"br"}), ElementsAre("breach"));
  EXPECT_THAT(Complete({""}), ElementsAre("report", "breach", "action", "assess", "duty", "verify",
                                          "register", "tenant", "admin", "school", "incident", "deadline",
                                          "notify", "health", "whoami",
                                          "token", "help", "version", "completion"));
  EXPECT_THAT(Complete({"notify", ""}), ElementsAre("draft", "show", "approve", "send", "status",
                                                    "receipt", "notice"));
  EXPECT_THAT(Complete({"admin", ""}),
              ElementsAre("status", "parked", "public-key", "rotate-signing-key", "key-chain",
                          "retry", "backup", "rebuild", "restore"));
  EXPECT_THAT(Complete({"breach", ""}),
              ElementsAre("list", "get", "timeline", "knowledge", "triage", "close", "reopen",
                          "grant-access", "revoke-access", "break-glass", "ack"));
  EXPECT_THAT(Complete({"report", "c"}), ElementsAre("create"));
  EXPECT_THAT(Complete({"help", "rep"}), ElementsAre("report"));
  EXPECT_THAT(Complete({"help", "assess", ""}),
              ElementsAre("submit", "show", "history", "decide", "preview"));
  EXPECT_THAT(Complete({"completion", ""}), ElementsAre("bash"));
  EXPECT_THAT(Complete({"breach", "get", "ID", ""}), IsEmpty());
}

TEST_F(CompletionTest, CompletesTheCommandsFlagsAnywhere) {
  EXPECT_THAT(Complete({"report", "create", "--req"}), ElementsAre("--request-id"));
  EXPECT_THAT(Complete({"breach", "list", "--page-"}), ElementsAre("--page-size", "--page-token"));
  EXPECT_THAT(Complete({"-o", "json", "breach", "list", "--st"}), ElementsAre("--status"));
  EXPECT_THAT(Complete({"assess", "preview", "--aw"}), ElementsAre("--awareness", "--aware-ago"));
  EXPECT_THAT(Complete({"assess", "preview", "--tok"}), IsEmpty());
  EXPECT_THAT(Complete({"--ver"}), ElementsAre("--version"));
}

TEST_F(CompletionTest, CompletesFlagValues) {
  EXPECT_THAT(Complete({"breach", "list", "-o", ""}), ElementsAre("table", "json"));
  EXPECT_THAT(Complete({"breach", "list", "--output", "=", "j"}), ElementsAre("json"));
  EXPECT_THAT(Complete({"breach", "list", "--status", "rep"}), ElementsAre("reported"));
  EXPECT_THAT(Complete({"assess", "preview", "--lang", ""}), ElementsAre("it", "en"));
  EXPECT_THAT(Complete({"report", "create", "-f", "breachctl.b"}), ElementsAre("breachctl.bash"));
  EXPECT_THAT(Complete({"breach", "get", "--token", ""}), IsEmpty());
  // A command's own meaning of a flag: -o md|json for a draft, -o FILE for the public notice.
  EXPECT_THAT(Complete({"notify", "draft", "ID", "-o", ""}), ElementsAre("md", "json"));
  EXPECT_THAT(Complete({"notify", "show", "ID", "--output", "=", "m"}), ElementsAre("md"));
  EXPECT_THAT(Complete({"notify", "notice", "ID", "-o", "breachctl.b"}),
              ElementsAre("breachctl.bash"));
  EXPECT_THAT(Complete({"notify", "status", "ID", "-o", ""}), ElementsAre("table", "json"));
  EXPECT_THAT(Complete({"notify", "send", "ID", "--duty", "sub"}), ElementsAre("subjects"));
}

}  // namespace
}  // namespace breachd::breachctl
