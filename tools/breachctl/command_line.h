// breachctl's argument parsing, kubectl style: words (VERB NOUN ARGS) and flags anywhere, as
// `--name=value`, `--name value`, or `-n value`, `-n=value`, `-nvalue` for the one-letter
// aliases.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace breachd::breachctl {

struct CommandLine {
  std::vector<std::string> words;             // non-flag arguments, in order
  std::map<std::string, std::string> flags;   // long name -> value ("true" for switches)

  std::optional<std::string> Flag(const std::string& name) const;
  std::string FlagOr(const std::string& name, const std::string& fallback) const;
};

struct FlagSpec {
  std::set<std::string> with_value;          // long names that take a value
  std::set<std::string> switches;            // long names that take none
  std::map<char, std::string> short_names;   // 'o' -> "output"
};

// INVALID_ARGUMENT for an unknown flag or a missing value. Arguments after "--" are words.
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args,
                                             const FlagSpec& spec);

}  // namespace breachd::breachctl
