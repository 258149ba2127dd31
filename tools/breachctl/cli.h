// breachctl's command table and what it drives: which command a command line names, the help of
// every command, the flags each command accepts, and the bash completion script. Pure functions
// of a `CliSpec`; the real table is `BreachctlCli()` in command_table.h.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/breachctl/command_line.h"

namespace breachd::breachctl {

struct CommandIo;
using Handler = int (*)(const CommandLine&, CommandIo&);

struct FlagInfo {
  std::string name;                  // long name: "output" for --output
  char short_name = 0;               // 'o' for -o, 0 for none
  std::string value;                 // what the value is ("FILE", "table|json"); "" for a switch
  std::string help;                  // one line
  std::vector<std::string> choices;  // values to complete; none: free text
  bool file_value = false;           // complete file names
};

// Written with designated initializers: leave out what a command does not have.
struct CommandSpec {
  std::vector<std::string> path = {};      // {"report", "create"}
  std::string usage = {};                  // what follows the path: "-f FILE [--request-id ID]"
  std::string summary = {};                // one line, for the command list
  std::string description = {};            // a paragraph for the command's help
  std::vector<std::string> flags = {};     // the command's own flags (names in CliSpec::flags)
  // Flags named in `flags` that mean something else here than in CliSpec::flags (another help,
  // other choices, a file instead of a choice): `-o md|json` for a document, `-o FILE`.
  std::vector<FlagInfo> own_flags = {};
  bool server = false;                     // talks to breachd: takes the connection flags
  size_t min_args = 0;                     // words after the path: at least
  size_t max_args = 0;                     // and at most
  std::vector<std::string> examples = {};  // lines; "# ..." lines comment the next one
  Handler run = nullptr;
};

struct GroupSpec {
  std::string name;     // "report"
  std::string summary;  // one line
};

struct CliSpec {
  std::string program;                        // "breachctl"
  std::string summary;                        // first line of the global help
  std::vector<FlagInfo> flags;                // every flag, once
  std::vector<std::string> connection_flags;  // taken by every server command
  std::vector<std::string> global_flags;      // taken by every command ("help")
  std::vector<GroupSpec> groups;              // first words that only group subcommands
  std::vector<CommandSpec> commands;
};

// What a command line's words name.
struct Resolution {
  enum Kind { kCommand, kGroup, kNothing, kUnknown } kind = kNothing;
  const CommandSpec* command = nullptr;  // kCommand
  const GroupSpec* group = nullptr;      // kGroup: the group alone; kUnknown: in this group
  std::string unknown;                   // kUnknown: the words as typed, e.g. "breach frob"
};
Resolution Resolve(const CliSpec& cli, const std::vector<std::string>& words);

// The parser's view of the table: every flag, by its long and short names.
FlagSpec ParserFlags(const CliSpec& cli);

// The problem with `line` for `command` ("" when none): a flag the command does not take, a
// value that is not one of the flag's choices, or too few or too many words after its path.
std::string CheckCommandLine(const CliSpec& cli, const CommandSpec& command,
                             const CommandLine& line);

// "report create" (the path as typed).
std::string PathOf(const CommandSpec& command);

std::string GlobalHelp(const CliSpec& cli);
std::string GroupHelp(const CliSpec& cli, const GroupSpec& group);
std::string CommandHelp(const CliSpec& cli, const CommandSpec& command);
// The help that `breachctl help WORDS...` prints; NOT_FOUND for words that name nothing.
absl::StatusOr<std::string> HelpFor(const CliSpec& cli, const std::vector<std::string>& words);

// A bash script that defines _<program> and registers it with `complete -F` for commands,
// subcommands, flags and flag values.
std::string BashCompletion(const CliSpec& cli);

}  // namespace breachd::breachctl
