// breachctl: the operations CLI of breachd. See `breachctl help` and README.md.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "grpc/support/log.h"
#include "tools/breachctl/app.h"
#include "tools/breachctl/command_table.h"

int main(int argc, char** argv) {
  using namespace breachd::breachctl;  // NOLINT: the entry point
  // breachctl reports every failure itself, on one line (a failed TLS handshake included);
  // gRPC's own log lines would only repeat it.
  gpr_set_log_function([](gpr_log_func_args*) {});
  return RunCli(BreachctlCli(), std::vector<std::string>(argv + 1, argv + argc),
                ProcessIo{std::cin, std::cout, std::cerr, isatty(STDIN_FILENO) == 1,
                          isatty(STDERR_FILENO) == 1, isatty(STDOUT_FILENO) == 1});
}
