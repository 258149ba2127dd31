// A child process for multi-process tests: started with posix_spawn, its stdout and stderr sent
// to files, stopped with SIGTERM or killed with SIGKILL.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace breachd::testing {

class ChildProcess {
 public:
  // Starts `argv[0]` with `argv`; output goes to `log_prefix`.out / .err.
  static absl::StatusOr<ChildProcess> Start(const std::vector<std::string>& argv,
                                            const std::string& log_prefix);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();  // kills a child still running

  // Sends `signal` and waits for the exit; returns the wait status.
  int Signal(int signal);
  bool Running();
  pid_t pid() const { return pid_; }
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  std::string log_prefix_;
};

// Runs a command to completion with `input` on stdin; returns exit code and stdout/stderr.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input = "",
                         const std::vector<std::string>& extra_env = {});

// Runs a command that must succeed, with "-o json" added (breachctl): its answer as JSON; when
// it exits non-zero, a test failure naming the command and its stderr, and null.
nlohmann::json RunForJson(std::vector<std::string> argv,
                          const std::vector<std::string>& extra_env = {});

// Reads a whole file ("" if missing).
std::string ReadFile(const std::string& path);

}  // namespace breachd::testing
