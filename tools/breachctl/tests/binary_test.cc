// The built breachctl binary, as a user runs it, with no server: help, version, the completion
// script sourced into bash, usage errors, and report create on a terminal.
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/process.h"
#include "tools/breachctl/tests/cli_testing.h"

namespace breachd {
namespace {

using ::breachd::testing::CommandResult;
using ::breachd::testing::RunCommand;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

const std::string kBreachctl = std::string(BREACHD_BIN_DIR) + "/breachctl";

CommandResult Breachctl(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), kBreachctl);
  return RunCommand(args, input);
}

void ExpectOneLineUsageError(const CommandResult& run, const std::string& message) {
  testing::ExpectOneLineError(run, 2, message);
}

TEST(BreachctlBinaryTest, HelpOfTheToolAGroupAndACommand) {
  const CommandResult global = Breachctl({"--help"});
  EXPECT_EQ(global.exit_code, 0);
  EXPECT_THAT(global.out, AllOf(HasSubstr("Commands:"), HasSubstr("completion bash")));

  const CommandResult group = Breachctl({"breach"});
  EXPECT_EQ(group.exit_code, 0) << group.err;
  EXPECT_THAT(group.out, AllOf(StartsWith("breachctl breach: "), HasSubstr("timeline")));

  const CommandResult command = Breachctl({"report", "create", "--help"});
  EXPECT_EQ(command.exit_code, 0);
  EXPECT_THAT(command.out, AllOf(StartsWith("breachctl report create: "), HasSubstr("Examples:")));
  EXPECT_EQ(Breachctl({"help", "report", "create"}).out, command.out);
}

TEST(BreachctlBinaryTest, Version) {
  const CommandResult run = Breachctl({"--version"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, MatchesRegex(testing::kVersionPattern));
  EXPECT_EQ(Breachctl({"version"}).out, run.out);
}

// As a user loads it: source <(breachctl completion bash).
TEST(BreachctlBinaryTest, CompletionScriptWorksInBash) {
  const CommandResult run = testing::RunCompletionProbe(
      absl::StrCat("source <(", kBreachctl, " completion bash)"), {"breach", "t"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, IsEmpty());
  const std::vector<std::string> lines = absl::StrSplit(run.out, '\n', absl::SkipEmpty());
  EXPECT_THAT(lines, ElementsAre("complete -F _breachctl breachctl", "timeline", "triage"));
}

TEST(BreachctlBinaryTest, UsageErrorsAreOneLineAndExitTwo) {
  ExpectOneLineUsageError(Breachctl({"frobnicate"}), "unknown command 'frobnicate'");
  ExpectOneLineUsageError(Breachctl({"breach", "list", "-o", "yaml"}),
                          "--output must be table or json");
  ExpectOneLineUsageError(Breachctl({"breach", "get"}), "missing argument");
  ExpectOneLineUsageError(Breachctl({"assess", "preview"}), "missing -f FILE");
}

// Runs breachctl with a terminal on stdin; gives up after `timeout` (breachctl waiting on the
// terminal is the bug this guards against).
CommandResult RunOnATerminal(const std::vector<std::string>& args, absl::Duration timeout) {
  CommandResult result;
  int master = -1, slave = -1;
  if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) return result;
  const testing::ScratchDir scratch("terminal");
  const std::string dir = scratch.path();
  const std::string out = dir + "/out", err = dir + "/err";
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(slave, STDIN_FILENO);
    dup2(open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), STDOUT_FILENO);
    dup2(open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), STDERR_FILENO);
    std::vector<char*> argv = {const_cast<char*>(kBreachctl.c_str())};
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(slave);
  int status = 0;
  const absl::Time deadline = absl::Now() + timeout;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (absl::Now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  close(master);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = testing::ReadFile(out);
  result.err = testing::ReadFile(err);
  return result;
}

TEST(BreachctlBinaryTest, ReportCreateWithoutAFileDoesNotWaitOnATerminal) {
  ExpectOneLineUsageError(RunOnATerminal({"report", "create"}, absl::Seconds(20)),
                          "missing -f FILE (-f - reads stdin)");
}

}  // namespace
}  // namespace breachd
