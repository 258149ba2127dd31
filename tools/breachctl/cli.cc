#include "tools/breachctl/cli.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace breachd::breachctl {
namespace {

bool StartsWithPath(const std::vector<std::string>& words, const std::vector<std::string>& path) {
  return words.size() >= path.size() && std::equal(path.begin(), path.end(), words.begin());
}

const GroupSpec* FindGroup(const CliSpec& cli, const std::string& name) {
  for (const GroupSpec& group : cli.groups) {
    if (group.name == name) return &group;
  }
  return nullptr;
}

const FlagInfo* FindFlag(const CliSpec& cli, const std::string& name) {
  for (const FlagInfo& flag : cli.flags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

// The flag as `command` takes it: its own version of the flag, else the table's.
const FlagInfo* FindFlag(const CliSpec& cli, const CommandSpec* command, const std::string& name) {
  if (command != nullptr) {
    for (const FlagInfo& flag : command->own_flags) {
      if (flag.name == name) return &flag;
    }
  }
  return FindFlag(cli, name);
}

// The names of the flags `command` takes: its own, then the connection flags, then the global.
std::vector<std::string> FlagsOf(const CliSpec& cli, const CommandSpec& command) {
  std::vector<std::string> names = command.flags;
  if (command.server) {
    names.insert(names.end(), cli.connection_flags.begin(), cli.connection_flags.end());
  }
  names.insert(names.end(), cli.global_flags.begin(), cli.global_flags.end());
  return names;
}

std::vector<const CommandSpec*> CommandsOfGroup(const CliSpec& cli, const std::string& group) {
  std::vector<const CommandSpec*> commands;
  for (const CommandSpec& command : cli.commands) {
    if (command.path.size() == 2 && command.path[0] == group) commands.push_back(&command);
  }
  return commands;
}

// Two aligned columns, indented by two spaces.
std::string Columns(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (const auto& [left, right] : rows) width = std::max(width, left.size());
  std::string text;
  for (const auto& [left, right] : rows) {
    absl::StrAppend(&text, "  ", left, std::string(width - left.size() + 3, ' '), right, "\n");
  }
  return text;
}

// "  -o, --output table|json   help" lines for the named flags.
std::string FlagRows(const CliSpec& cli, const std::vector<std::string>& names,
                     const CommandSpec* command = nullptr) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const std::string& name : names) {
    const FlagInfo* flag = FindFlag(cli, command, name);
    if (flag == nullptr) continue;
    std::string left = flag->short_name ? absl::StrCat("-", std::string(1, flag->short_name), ", ")
                                        : std::string("    ");
    absl::StrAppend(&left, "--", flag->name, flag->value.empty() ? "" : " ", flag->value);
    rows.emplace_back(std::move(left), flag->help);
  }
  return Columns(rows);
}

// "--output -o" for completion.
std::string FlagWords(const CliSpec& cli, const std::vector<std::string>& names) {
  std::vector<std::string> words;
  for (const std::string& name : names) {
    const FlagInfo* flag = FindFlag(cli, name);
    if (flag == nullptr) continue;
    words.push_back("--" + flag->name);
    if (flag->short_name) words.push_back(std::string("-") + flag->short_name);
  }
  return absl::StrJoin(words, " ");
}

// The first words of the commands and groups, in table order, once each.
std::vector<std::string> TopWords(const CliSpec& cli) {
  std::vector<std::string> words;
  for (const CommandSpec& command : cli.commands) {
    if (std::find(words.begin(), words.end(), command.path[0]) == words.end()) {
      words.push_back(command.path[0]);
    }
  }
  return words;
}

std::vector<std::string> SubcommandWords(const CliSpec& cli, const std::string& group) {
  std::vector<std::string> words;
  for (const CommandSpec* command : CommandsOfGroup(cli, group)) words.push_back(command->path[1]);
  return words;
}

// "-o|--output": the words that name a flag, as a bash case pattern.
std::string FlagPattern(const FlagInfo& flag) {
  std::string pattern = "--" + flag.name;
  if (flag.short_name) pattern = absl::StrCat("-", std::string(1, flag.short_name), "|", pattern);
  return pattern;
}

// What completes a flag's value: its choices, file names, or nothing for free text.
std::string ValueReply(const FlagInfo& flag) {
  if (flag.file_value) return "mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")";
  if (flag.choices.empty()) return "COMPREPLY=()";
  return absl::StrCat("mapfile -t COMPREPLY < <(compgen -W \"", absl::StrJoin(flag.choices, " "),
                      "\" -- \"$cur\")");
}

// One `case` branch of the completion function.
std::string CaseBranch(const std::string& pattern, const std::vector<std::string>& words,
                       const std::string& flags) {
  return absl::StrCat("    ", pattern, ") words=\"", absl::StrJoin(words, " "), "\" flags=\"",
                      flags, "\" ;;\n");
}

}  // namespace

std::string PathOf(const CommandSpec& command) { return absl::StrJoin(command.path, " "); }

Resolution Resolve(const CliSpec& cli, const std::vector<std::string>& words) {
  Resolution resolution;
  if (words.empty()) return resolution;
  for (const CommandSpec& command : cli.commands) {
    if (StartsWithPath(words, command.path)) {
      resolution.kind = Resolution::kCommand;
      resolution.command = &command;
      return resolution;
    }
  }
  if (const GroupSpec* group = FindGroup(cli, words[0])) {
    if (words.size() == 1) {
      resolution.kind = Resolution::kGroup;
      resolution.group = group;
      return resolution;
    }
    resolution.group = group;
    resolution.unknown = absl::StrCat(words[0], " ", words[1]);
  } else {
    resolution.unknown = words[0];
  }
  resolution.kind = Resolution::kUnknown;
  return resolution;
}

FlagSpec ParserFlags(const CliSpec& cli) {
  FlagSpec spec;
  for (const FlagInfo& flag : cli.flags) {
    (flag.value.empty() ? spec.switches : spec.with_value).insert(flag.name);
    if (flag.short_name) spec.short_names[flag.short_name] = flag.name;
  }
  return spec;
}

std::string CheckCommandLine(const CliSpec& cli, const CommandSpec& command,
                             const CommandLine& line) {
  const std::vector<std::string> allowed = FlagsOf(cli, command);
  for (const auto& [name, value] : line.flags) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return absl::StrCat(PathOf(command), " does not take --", name);
    }
    const FlagInfo* flag = FindFlag(cli, &command, name);
    if (flag != nullptr && !flag->choices.empty() &&
        std::find(flag->choices.begin(), flag->choices.end(), value) == flag->choices.end()) {
      return absl::StrCat("--", name, " must be ", absl::StrJoin(flag->choices, " or "));
    }
  }
  const size_t args = line.words.size() - command.path.size();
  const std::string usage = absl::StrCat("usage: ", cli.program, " ", PathOf(command),
                                         command.usage.empty() ? "" : " ", command.usage);
  if (args < command.min_args) return absl::StrCat("missing argument; ", usage);
  if (args > command.max_args) {
    return absl::StrCat("unexpected argument '", line.words[command.path.size() + command.max_args],
                        "'; ", usage);
  }
  return "";
}

std::string GlobalHelp(const CliSpec& cli) {
  std::vector<std::pair<std::string, std::string>> commands;
  for (const CommandSpec& command : cli.commands) {
    commands.emplace_back(PathOf(command), command.summary);
  }
  return absl::StrCat(cli.program, ": ", cli.summary, "\n\nUsage:\n  ", cli.program,
                      " COMMAND [SUBCOMMAND] [ARGS] [flags]\n\nCommands:\n", Columns(commands),
                      "\nFlags of the commands that talk to breachd:\n",
                      FlagRows(cli, cli.connection_flags), "\nFlags of every command:\n",
                      FlagRows(cli, cli.global_flags), "\nRun '", cli.program,
                      " help COMMAND' or '", cli.program,
                      " COMMAND --help' for a command's flags and examples.\n"
                      "Bash completion: source <(",
                      cli.program, " completion bash)\n");
}

std::string GroupHelp(const CliSpec& cli, const GroupSpec& group) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const CommandSpec* command : CommandsOfGroup(cli, group.name)) {
    rows.emplace_back(command->path[1], command->summary);
  }
  return absl::StrCat(cli.program, " ", group.name, ": ", group.summary, "\n\nUsage:\n  ",
                      cli.program, " ", group.name, " SUBCOMMAND [ARGS] [flags]\n\nSubcommands:\n",
                      Columns(rows), "\nRun '", cli.program, " help ", group.name,
                      " SUBCOMMAND' for a subcommand's flags and examples.\n");
}

std::string CommandHelp(const CliSpec& cli, const CommandSpec& command) {
  std::string text = absl::StrCat(cli.program, " ", PathOf(command), ": ", command.summary,
                                  "\n\nUsage:\n  ", cli.program, " ", PathOf(command),
                                  command.usage.empty() ? "" : " ", command.usage, "\n");
  if (!command.description.empty()) absl::StrAppend(&text, "\n", command.description, "\n");
  if (!command.flags.empty()) {
    absl::StrAppend(&text, "\nFlags:\n", FlagRows(cli, command.flags, &command));
  }
  if (command.server) {
    absl::StrAppend(&text, "\nConnection flags:\n", FlagRows(cli, cli.connection_flags));
  }
  absl::StrAppend(&text, "\nFlags of every command:\n", FlagRows(cli, cli.global_flags));
  if (!command.examples.empty()) {
    absl::StrAppend(&text, "\nExamples:\n");
    for (const std::string& example : command.examples) absl::StrAppend(&text, "  ", example, "\n");
  }
  return text;
}

absl::StatusOr<std::string> HelpFor(const CliSpec& cli, const std::vector<std::string>& words) {
  const Resolution resolution = Resolve(cli, words);
  switch (resolution.kind) {
    case Resolution::kNothing:
      return GlobalHelp(cli);
    case Resolution::kGroup:
      return GroupHelp(cli, *resolution.group);
    case Resolution::kCommand:
      return CommandHelp(cli, *resolution.command);
    case Resolution::kUnknown:
      break;
  }
  return absl::NotFoundError(absl::StrCat("unknown command '", resolution.unknown, "'"));
}

std::string BashCompletion(const CliSpec& cli) {
  const std::string function = "_" + cli.program;
  std::vector<std::string> value_flags;  // every flag that takes a value
  std::vector<std::string> free_flags;   // those whose value is free text: nothing to offer
  std::string value_cases;
  for (const FlagInfo& flag : cli.flags) {
    if (flag.value.empty()) continue;
    const std::string pattern = FlagPattern(flag);
    value_flags.push_back(pattern);
    if (!flag.file_value && flag.choices.empty()) {
      free_flags.push_back(pattern);
      continue;
    }
    absl::StrAppend(&value_cases, "    ", pattern, ") ", ValueReply(flag), "; return ;;\n");
  }
  absl::StrAppend(&value_cases, "    ", absl::StrJoin(free_flags, "|"),
                  ") COMPREPLY=(); return ;;\n");
  // A command's own meaning of a flag ("notify draft" -o md|json) comes first: "PATH ARGS|FLAG".
  std::string own_value_cases;
  for (const CommandSpec& command : cli.commands) {
    for (const FlagInfo& flag : command.own_flags) {
      if (flag.value.empty()) continue;
      std::vector<std::string> patterns;
      for (absl::string_view word : absl::StrSplit(FlagPattern(flag), '|')) {
        patterns.push_back(absl::StrCat("\"", PathOf(command), "|", word, "\"|\"",
                                        PathOf(command), " \"*\"|", word, "\""));
      }
      absl::StrAppend(&own_value_cases, "    ", absl::StrJoin(patterns, "|"), ") ",
                      ValueReply(flag), "; return ;;\n");
    }
  }
  const std::string global_flags = FlagWords(cli, cli.global_flags);
  std::string branches = CaseBranch("\"\"", TopWords(cli), global_flags);
  for (const GroupSpec& group : cli.groups) {
    absl::StrAppend(&branches, CaseBranch("\"" + group.name + "\"",
                                          SubcommandWords(cli, group.name), global_flags));
  }
  for (const CommandSpec& command : cli.commands) {
    const std::string path = PathOf(command);
    const std::string flags = FlagWords(cli, FlagsOf(cli, command));
    std::vector<std::string> args;
    if (command.path == std::vector<std::string>{"help"}) {
      // `help` completes what it explains: commands, then a group's subcommands.
      args = TopWords(cli);
      for (const GroupSpec& group : cli.groups) {
        absl::StrAppend(&branches, CaseBranch(absl::StrCat("\"help ", group.name, "\""),
                                              SubcommandWords(cli, group.name), flags));
      }
    } else if (command.path == std::vector<std::string>{"completion"}) {
      args = {"bash"};
    }
    if (args.empty()) {
      absl::StrAppend(&branches,
                      CaseBranch(absl::StrCat("\"", path, "\"|\"", path, " \"*"), {}, flags));
    } else {  // the argument, then nothing more
      absl::StrAppend(&branches, CaseBranch("\"" + path + "\"", args, flags),
                      CaseBranch("\"" + path + " \"*", {}, flags));
    }
  }
  return absl::StrCat(
      "# bash completion for ", cli.program, " (commands, subcommands, flags and flag values).\n",
      "# Load it in the current shell with:  source <(", cli.program, " completion bash)\n",
      "# or for every shell: ", cli.program, " completion bash > ~/.local/share/bash-completion/",
      "completions/", cli.program, "\n", function, "() {\n",
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"\" path=\"\" word words flags i\n",
      "  (( COMP_CWORD > 0 )) && prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n",
      "  # --flag=value arrives as three words when '=' breaks words.\n",
      "  if [[ $cur == \"=\" ]]; then\n", "    cur=\"\"\n",
      "  elif [[ $prev == \"=\" ]] && (( COMP_CWORD > 1 )); then\n",
      "    prev=\"${COMP_WORDS[COMP_CWORD-2]}\"\n", "  fi\n",
      "  # The command words typed so far, without flags and their values.\n",
      "  for (( i = 1; i < COMP_CWORD; i++ )); do\n", "    word=\"${COMP_WORDS[i]}\"\n",
      "    case \"$word\" in\n", "      ", absl::StrJoin(value_flags, "|"), ")\n",
      "        if [[ ${COMP_WORDS[i+1]} == \"=\" ]]; then (( i += 2 )); else (( i++ )); fi ;;\n",
      "      -*|=) ;;\n", "      *) path=\"${path:+$path }$word\" ;;\n", "    esac\n", "  done\n",
      "  case \"$path|$prev\" in\n", own_value_cases, "  esac\n", "  case \"$prev\" in\n",
      value_cases, "  esac\n", "  case \"$path\" in\n", branches,
      "    *) words=\"\" flags=\"\" ;;\n", "  esac\n",
      "  if [[ $cur == -* ]]; then\n",
      "    mapfile -t COMPREPLY < <(compgen -W \"$flags\" -- \"$cur\")\n", "  else\n",
      "    mapfile -t COMPREPLY < <(compgen -W \"$words\" -- \"$cur\")\n", "  fi\n", "}\n",
      "complete -F ", function, " ", cli.program, "\n");
}

}  // namespace breachd::breachctl
