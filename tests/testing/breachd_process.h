// One breachd hosting every service (embedded bus, data in a test folder) as a child process,
// for end-to-end tests: started with extra flags, killed and restarted on the same data, and
// driven with breachctl.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/testing/process.h"

namespace breachd::testing {

class BreachdProcess {
 public:
  // `dir` holds identity.json (TestFolderWithIdentity) and receives data/ and the logs.
  BreachdProcess(std::string dir, std::vector<std::string> extra_flags)
      : dir_(std::move(dir)), extra_flags_(std::move(extra_flags)) {}

  // Starts (or starts again, on the same data) and waits until it serves; false on failure,
  // with the reason in Stderr().
  bool Start();
  void Kill();  // SIGKILL
  const std::string& endpoint() const { return endpoint_; }
  // The bus's bootstrap.servers (the embedded broker's address), from the ready file.
  const std::string& bootstrap_servers() const { return bootstrap_servers_; }
  std::string Stderr() const { return process_ ? process_->Stderr() : ""; }

  // breachctl `args` as the bearer of `token`, plaintext, against this breachd.
  CommandResult Breachctl(std::vector<std::string> args, const std::string& token,
                          const std::string& input = "") const;
  // A command that must succeed (gtest failure otherwise), with `-o json`: its answer.
  nlohmann::json Ok(std::vector<std::string> args, const std::string& token) const;

 private:
  std::string dir_;
  std::vector<std::string> extra_flags_;
  std::unique_ptr<ChildProcess> process_;
  int starts_ = 0;
  std::string endpoint_;
  std::string bootstrap_servers_;
};

}  // namespace breachd::testing
