// Development mode as tools/dev/up runs it (--dev_identity --dev_tls on a fresh data folder):
// the first start makes a local CA and an identity file (mode 0600), shows the people's tokens
// once (never the services' own token) and how to trust the CA, which breachctl then does; a
// restart shows no token. Outside development mode a mistyped identity file stops start-up
// naming the path, and nothing is created.
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"
#include "tests/testing/process.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBin = BREACHD_BIN_DIR;

class DevModeTest : public ::testing::Test {
 protected:
  // Starts breachd with `flags`; waits until it is ready (or, with `expect_ready` false, gone).
  std::unique_ptr<ChildProcess> Start(std::vector<std::string> flags, const std::string& name,
                                      bool expect_ready = true) {
    const std::string ready = scratch_.path() + "/" + name + ".ready";
    std::vector<std::string> argv = {kBin + "/breachd", "--services=intake",
                                     "--listen=127.0.0.1:0", "--kafka=embedded",
                                     "--metrics_listen=off", "--ready_file=" + ready,
                                     "--data_dir=" + data_};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto process = ChildProcess::Start(argv, scratch_.path() + "/" + name);
    EXPECT_TRUE(process.ok()) << process.status();
    if (!process.ok()) return nullptr;
    auto child = std::make_unique<ChildProcess>(*std::move(process));
    if (expect_ready) {
      EXPECT_TRUE(WaitUntil([&] { return !ReadFile(ready).empty(); })) << child->Stderr();
      endpoint_ = nlohmann::json::parse(ReadFile(ready), nullptr, false).value("endpoint", "");
    } else {
      EXPECT_TRUE(WaitUntil([&] { return !child->Running(); })) << child->Stdout();
    }
    return child;
  }

  ScratchDir scratch_{"dev-mode"};
  const std::string data_ = scratch_.path() + "/data";
  std::string endpoint_;
};

TEST_F(DevModeTest, TokensAreShownOnceAndTheLocalCaIsWhatClientsTrust) {
  const std::string identity = data_ + "/identity.json";
  const std::string ca = data_ + "/tls/ca.pem";
  std::unique_ptr<ChildProcess> first = Start({"--dev_identity", "--dev_tls"}, "first");
  ASSERT_NE(first, nullptr);
  struct stat info {};
  ASSERT_EQ(::stat(identity.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  const nlohmann::json file = nlohmann::json::parse(ReadFile(identity));
  std::string operator_token, service_token;
  for (const auto& grant : file["tokens"]) {
    if (grant["subject"] == "user:ops-admin") operator_token = grant["token"];
    if (grant["subject"] == "service:breachd") service_token = grant["token"];
  }
  ASSERT_FALSE(operator_token.empty());
  ASSERT_FALSE(service_token.empty());
  const std::string shown = first->Stdout();
  EXPECT_THAT(shown, HasSubstr(operator_token));
  EXPECT_THAT(shown, Not(HasSubstr(service_token)));
  EXPECT_THAT(shown, HasSubstr("BREACHCTL_CACERT=" + ca));

  // The CA it printed is what breachctl trusts.
  const CommandResult me = RunCommand({kBin + "/breachctl", "whoami", "-o", "json"}, "",
                                      {"BREACHCTL_ENDPOINT=" + endpoint_,
                                       "BREACHCTL_CACERT=" + ca,
                                       "BREACHCTL_TOKEN=" + operator_token});
  ASSERT_EQ(me.exit_code, 0) << me.err;
  EXPECT_THAT(me.out, HasSubstr("user:ops-admin"));
  first->Signal(SIGTERM);

  // Restarted: the same file, no token printed, the file named.
  std::unique_ptr<ChildProcess> second = Start({"--dev_identity", "--dev_tls"}, "second");
  ASSERT_NE(second, nullptr);
  const std::string again = second->Stdout();
  EXPECT_THAT(again, HasSubstr("Development tokens: in " + identity));
  EXPECT_THAT(again, Not(HasSubstr(operator_token)));
  EXPECT_THAT(again, Not(HasSubstr(service_token)));
  second->Signal(SIGTERM);

  // Not in development mode: a mistyped identity file is an error, nothing is made.
  const std::string typo = data_ + "/identiti.json";
  std::unique_ptr<ChildProcess> refused =
      Start({"--dev_tls", "--identity_file=" + typo}, "typo", /*expect_ready=*/false);
  ASSERT_NE(refused, nullptr);
  EXPECT_THAT(refused->Stderr(), HasSubstr("identity file not found: " + typo));
  EXPECT_FALSE(std::filesystem::exists(typo));
  EXPECT_THAT(refused->Stdout(), Not(HasSubstr(operator_token)));
}

}  // namespace
}  // namespace breachd
