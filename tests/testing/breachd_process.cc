#include "tests/testing/breachd_process.h"

#include <signal.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/testing/fixtures.h"

namespace breachd::testing {

bool BreachdProcess::Start() {
  const std::string ready = dir_ + "/breachd.ready";
  std::remove(ready.c_str());
  std::vector<std::string> argv = {
      std::string(BREACHD_BIN_DIR) + "/breachd", "--services=all", "--listen=127.0.0.1:0",
      "--data_dir=" + dir_ + "/data", "--identity_file=" + dir_ + "/identity.json",
      "--ready_file=" + ready,
      absl::StrCat("--regimes_dir=", BREACHD_SOURCE_DIR, "/regimes"),
      absl::StrCat("--templates_dir=", BREACHD_SOURCE_DIR, "/templates"), "--dev_identity",
      "--insecure"};
  argv.insert(argv.end(), extra_flags_.begin(), extra_flags_.end());
  auto process = ChildProcess::Start(argv, absl::StrCat(dir_, "/breachd-", ++starts_));
  if (!process.ok()) return false;
  process_ = std::make_unique<ChildProcess>(*std::move(process));
  if (!WaitUntil([&] { return !ReadFile(ready).empty() || !process_->Running(); })) return false;
  if (ReadFile(ready).empty()) return false;
  const nlohmann::json ready_json = nlohmann::json::parse(ReadFile(ready));
  endpoint_ = ready_json["endpoint"];
  bootstrap_servers_ = ready_json.value("bootstrap_servers", "");
  return true;
}

void BreachdProcess::Kill() {
  if (process_) process_->Signal(SIGKILL);
}

CommandResult BreachdProcess::Breachctl(std::vector<std::string> args, const std::string& token,
                                        const std::string& input) const {
  std::vector<std::string> argv = {std::string(BREACHD_BIN_DIR) + "/breachctl"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, input,
                    {"BREACHCTL_ENDPOINT=" + endpoint_, "BREACHCTL_TOKEN=" + token,
                     "BREACHCTL_INSECURE=1"});
}

nlohmann::json BreachdProcess::Ok(std::vector<std::string> args, const std::string& token) const {
  args.insert(args.end(), {"-o", "json"});
  const CommandResult result = Breachctl(args, token);
  EXPECT_EQ(result.exit_code, 0) << absl::StrJoin(args, " ") << ": " << result.err;
  if (result.exit_code != 0) return nlohmann::json();
  return nlohmann::json::parse(result.out, nullptr, /*allow_exceptions=*/false);
}

}  // namespace breachd::testing
