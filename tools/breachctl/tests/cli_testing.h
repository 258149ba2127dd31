// What breachctl's tests share: the checks on a run's outcome, and a driver of the bash
// completion script as bash would run it (source it, set COMP_WORDS and COMP_CWORD for a command
// line being typed, call the completion function, print COMPREPLY).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/process.h"

namespace breachd::testing {

// `breachctl --version`: "breachctl 0.1.0" and, from a git checkout, " (git DESCRIBE)".
inline constexpr char kVersionPattern[] = "breachctl [0-9]+\\.[0-9]+\\.[0-9]+( \\(git [^)]+\\))?\n";

// An error: exit `code`, one line "breachctl: ..." holding `message` on stderr, nothing on stdout.
inline void ExpectOneLineError(const CommandResult& run, int code, const std::string& message) {
  EXPECT_EQ(run.exit_code, code) << run.err;
  EXPECT_THAT(run.err, ::testing::StartsWith("breachctl: "));
  EXPECT_THAT(run.err, ::testing::HasSubstr(message));
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  EXPECT_THAT(run.out, ::testing::IsEmpty());
}

// A bash -c script: `source_line` loads the completion (e.g. "source /tmp/x.bash"), then
// `complete -p breachctl` is printed, then one word of COMPREPLY per line. `words` is the line
// typed so far, the last one the word being completed ("" for a new word).
inline std::string CompletionProbe(const std::string& source_line,
                                   const std::vector<std::string>& words) {
  std::vector<std::string> quoted;
  for (const std::string& word : words) quoted.push_back(absl::StrCat("'", word, "'"));
  return absl::StrCat(source_line, " || exit 9\n", "complete -p breachctl || exit 8\n",
                      "COMP_WORDS=(breachctl ", absl::StrJoin(quoted, " "), ")\n",
                      "COMP_CWORD=", words.size(), "\n", "_breachctl\n",
                      "printf '%s\\n' \"${COMPREPLY[@]}\"\n");
}

// Runs the probe in bash; the first line of `out` is the `complete -p` line.
inline CommandResult RunCompletionProbe(const std::string& source_line,
                                        const std::vector<std::string>& words,
                                        const std::vector<std::string>& env = {}) {
  return RunCommand({"/bin/bash", "-c", CompletionProbe(source_line, words)}, "", env);
}

}  // namespace breachd::testing
