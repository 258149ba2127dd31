// breachctl as a function: parses the arguments, finds the command in the table, checks its
// flags and words, and runs it. Help, version and usage errors need no server.
#pragma once

#include <iostream>
#include <string>
#include <vector>

#include "tools/breachctl/cli.h"

namespace breachd::breachctl {

struct ProcessIo {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool in_is_terminal = false;
  bool err_is_terminal = false;  // progress bars go to stderr only when it is a terminal
  bool out_is_terminal = false;  // stdout is a terminal: progress bars redraw in place
};

// Returns the exit code: 0 success, 1 a server or other error, 2 bad usage (3: verify found a
// broken chain). Every error is one line on `io.err`, "breachctl: ...".
int RunCli(const CliSpec& cli, const std::vector<std::string>& args, ProcessIo io);

}  // namespace breachd::breachctl
