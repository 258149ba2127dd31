// End to end, as an operator would run it: the standalone bus (devbus) and the intake and
// register services each in their own breachd process, driven only through breachctl. The
// register is killed with SIGKILL mid-run and restarted; nothing may be lost or doubled.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"
#include "tests/testing/process.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;

const std::string kBin = BREACHD_BIN_DIR;
const std::string kExamples = std::string(BREACHD_SOURCE_DIR) + "/docs/examples/";

class MultiProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    WriteTwoSchoolIdentity(dir_ + "/identity.json");
    // Port 0: tests running in parallel must not share devbus's default port.
    auto bus = ChildProcess::Start({kBin + "/devbus", "--listen=127.0.0.1:0", "--partitions=4"},
                                   dir_ + "/devbus");
    ASSERT_TRUE(bus.ok()) << bus.status();
    bus_ = std::make_unique<ChildProcess>(*std::move(bus));
    ASSERT_TRUE(WaitUntil([&] { return absl::StrContains(bus_->Stdout(), "bootstrap="); }))
        << bus_->Stderr();
    for (absl::string_view line : absl::StrSplit(bus_->Stdout(), '\n')) {
      if (absl::StartsWith(line, "bootstrap=")) bootstrap_ = std::string(line.substr(10));
    }
    StartService("intake");
    StartService("register");
  }

  void StartService(const std::string& name) {
    const std::string ready = absl::StrCat(dir_, "/", name, ".ready");
    std::remove(ready.c_str());
    auto process = ChildProcess::Start(
        {kBin + "/breachd", "--services=" + name, "--listen=127.0.0.1:0",
         "--kafka=" + bootstrap_, absl::StrCat("--data_dir=", dir_, "/", name),
         absl::StrCat("--identity_file=", dir_, "/identity.json"), "--ready_file=" + ready},
        absl::StrCat(dir_, "/", name));
    ASSERT_TRUE(process.ok()) << process.status();
    services_[name] = std::make_unique<ChildProcess>(*std::move(process));
    ASSERT_TRUE(WaitUntil([&] { return !ReadFile(ready).empty(); }))
        << services_[name]->Stderr();
    endpoints_[name] = nlohmann::json::parse(ReadFile(ready))["endpoint"];
  }

  CommandResult Breachctl(std::vector<std::string> args, const std::string& token,
                          const std::string& input = "") {
    std::vector<std::string> argv = {kBin + "/breachctl"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, input,
                      {"BREACHCTL_INTAKE_ENDPOINT=" + endpoints_["intake"],
                       "BREACHCTL_REGISTER_ENDPOINT=" + endpoints_["register"],
                       "BREACHCTL_ENDPOINT=" + endpoints_["register"], "BREACHCTL_TOKEN=" + token});
  }

  std::string Report(const std::string& example, const std::string& request_id) {
    CommandResult result = Breachctl({"report", "create", "-f", kExamples + example,
                                      "--request-id", request_id, "-o", "json"},
                                     kVespucciDpoToken);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    if (result.exit_code != 0) return "";
    return nlohmann::json::parse(result.out)["breach_id"];
  }

  int RegisterSize() {
    CommandResult result = Breachctl({"breach", "list", "-o", "json", "--page-size", "500"},
                                     kVespucciDpoToken);
    if (result.exit_code != 0) return -1;
    const auto doc = nlohmann::json::parse(result.out);
    return doc.contains("entries") ? static_cast<int>(doc["entries"].size()) : 0;
  }

  std::string dir_;
  std::string bootstrap_;
  std::unique_ptr<ChildProcess> bus_;
  std::map<std::string, std::unique_ptr<ChildProcess>> services_;
  std::map<std::string, std::string> endpoints_;
};

TEST_F(MultiProcessTest, RegisterKilledMidRunLosesNothingAndDoublesNothing) {
  std::vector<std::string> breaches;
  for (int i = 0; i < 4; ++i) breaches.push_back(Report("report-lost-laptop.json", absl::StrCat("a", i)));
  ASSERT_TRUE(WaitUntil([&] { return RegisterSize() == 4; }));

  services_["register"]->Signal(SIGKILL);
  // Reports keep coming while the register is down: intake and the bus hold them.
  for (int i = 0; i < 4; ++i) {
    breaches.push_back(Report("report-wrong-recipient.json", absl::StrCat("b", i)));
  }
  StartService("register");
  ASSERT_TRUE(WaitUntil([&] { return RegisterSize() == 8; }, absl::Seconds(90)));

  for (const std::string& id : breaches) {
    CommandResult timeline = Breachctl({"breach", "timeline", id, "-o", "json"}, kVespucciDpoToken);
    ASSERT_EQ(timeline.exit_code, 0) << timeline.err;
    const auto doc = nlohmann::json::parse(timeline.out);
    int reported = 0;
    for (const auto& entry : doc["entries"]) reported += entry["type"] == "breach.v1.BreachReported";
    EXPECT_EQ(reported, 1) << id;
  }
  for (std::string service : {"intake", "register"}) {
    CommandResult verified = Breachctl({"verify", "--endpoint", endpoints_[service]}, kOperatorToken);
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  }
  // SIGTERM drains and exits cleanly.
  for (std::string service : {"intake", "register"}) {
    const int status = services_[service]->Signal(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << service << " " << status;
  }
}

TEST_F(MultiProcessTest, BreachctlReportsErrorsInOneLineAndExitsNonZero) {
  CommandResult bad = Breachctl({"report", "create", "-f", "-"}, kVespucciDpoToken,
                                R"({"tenant": "MIIS01200V", "place": "x"})");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("INVALID_ARGUMENT: report."));
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1);

  const std::string id = Report("report-lost-laptop.json", "x1");
  ASSERT_TRUE(WaitUntil([&] { return RegisterSize() == 1; }));
  CommandResult denied = Breachctl({"breach", "get", id}, kGalileiDpoToken);
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_THAT(denied.err, HasSubstr("PERMISSION_DENIED"));
  CommandResult shown = Breachctl({"breach", "get", id}, kVespucciDpoToken);
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_THAT(shown.out, HasSubstr(id));
}

}  // namespace
}  // namespace breachd
