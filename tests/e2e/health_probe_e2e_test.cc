// The readiness probe the Kubernetes manifests run (k8s/base/*/flags.yaml), end to end: one
// breachd serving TLS with the dev overlay's certificate (k8s/overlays/dev/tls), and
// `breachctl health` calling it at 127.0.0.1 as a probe inside the pod does, checking the
// certificate by the Service's name (--server-name). SERVING exits 0; anything else exits 1
// with one line saying why.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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
const std::string kDevTls = std::string(BREACHD_SOURCE_DIR) + "/k8s/overlays/dev/tls";

class HealthProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    const std::string ready = scratch_->path() + "/ready.json";
    auto process = ChildProcess::Start(
        {kBin + "/breachd", "--services=all", "--listen=127.0.0.1:0", "--kafka=embedded",
         "--data_dir=" + scratch_->path() + "/data",
         "--identity_file=" + scratch_->path() + "/identity.json", "--ready_file=" + ready,
         absl::StrCat("--regimes_dir=", BREACHD_SOURCE_DIR, "/regimes"),
         absl::StrCat("--templates_dir=", BREACHD_SOURCE_DIR, "/templates"),
         "--tls_cert=" + kDevTls + "/tls.crt", "--tls_key=" + kDevTls + "/tls.key",
         "--tls_ca=" + kDevTls + "/ca.crt", "--metrics_listen=off"},
        scratch_->path() + "/breachd");
    ASSERT_TRUE(process.ok()) << process.status();
    breachd_ = std::make_unique<ChildProcess>(*std::move(process));
    ASSERT_TRUE(WaitUntil([&] { return !ReadFile(ready).empty() || !breachd_->Running(); }))
        << breachd_->Stderr();
    ASSERT_FALSE(ReadFile(ready).empty()) << breachd_->Stderr();
    endpoint_ = nlohmann::json::parse(ReadFile(ready))["endpoint"];
  }

  // The probe's command line, as in the manifests, with no token.
  CommandResult Probe(const std::string& server_name, std::vector<std::string> args) {
    std::vector<std::string> argv = {kBin + "/breachctl", "--endpoint", endpoint_,
                                     "--cacert", kDevTls + "/ca.crt", "--server-name",
                                     server_name, "health"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::unique_ptr<ChildProcess> breachd_;
  std::string endpoint_;
};

TEST_F(HealthProbeTest, EachServicesEntryIsServingThroughTheServicesName) {
  for (const auto& [service, entry] :
       std::vector<std::pair<std::string, std::string>>{
           {"breachd-intake", "breach.v1.IntakeService"},
           {"breachd-assessment", "breach.v1.AssessmentService"},
           {"breachd-notification", "breach.v1.NotificationService"},
           {"breachd-register", "breach.v1.RegisterService"}}) {
    CommandResult probe = Probe(service, {entry});
    EXPECT_EQ(probe.exit_code, 0) << entry << ": " << probe.err;
    EXPECT_THAT(probe.out, HasSubstr("SERVING")) << entry;
  }
  CommandResult whole = Probe("breachd-register", {"-o", "json"});
  EXPECT_EQ(whole.exit_code, 0) << whole.err;
  EXPECT_EQ(nlohmann::json::parse(whole.out)["status"], "SERVING");
}

TEST_F(HealthProbeTest, AnUnknownEntryOrANameTheCertificateLacksFailsWithOneLine) {
  CommandResult unknown = Probe("breachd-intake", {"breach.v1.NoSuchService"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "breachctl: NOT_FOUND: service name unknown\n");
  CommandResult wrong_name = Probe("breachd-somewhere-else", {"breach.v1.IntakeService"});
  EXPECT_EQ(wrong_name.exit_code, 1);
  EXPECT_THAT(wrong_name.err, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(wrong_name.err, HasSubstr("breachd-somewhere-else"));
}

}  // namespace
}  // namespace breachd
