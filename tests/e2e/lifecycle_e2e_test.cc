// The breach lifecycle end to end, as a school would live it: devbus, and intake, assessment
// and register each in their own breachd process, driven only through breachctl. report ->
// triage -> action -> assess -> override -> decide -> close; the register shows status,
// classification and duties, the timeline every step with who and when, and every store verifies.
#include <signal.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
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
const std::string kSource = BREACHD_SOURCE_DIR;

// One school's breach, from its report to the register, each service in its own process.
class LifecycleEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    dir_ = scratch_->path();
    auto bus = ChildProcess::Start({kBin + "/devbus", "--listen=127.0.0.1:0"}, dir_ + "/devbus");
    ASSERT_TRUE(bus.ok()) << bus.status();
    bus_ = std::make_unique<ChildProcess>(*std::move(bus));
    ASSERT_TRUE(WaitUntil([&] { return absl::StrContains(bus_->Stdout(), "bootstrap="); }));
    for (absl::string_view line : absl::StrSplit(bus_->Stdout(), '\n')) {
      if (absl::StartsWith(line, "bootstrap=")) bootstrap_ = std::string(line.substr(10));
    }
    // Each consumer catches up from the stores of the services it consumes.
    Start("intake", {});
    Start("assessment", {"intake"});
    Start("register", {"intake", "assessment"});
  }

  void Start(const std::string& name, const std::vector<std::string>& sources) {
    const std::string ready = absl::StrCat(dir_, "/", name, ".ready");
    std::vector<std::string> argv = {
        kBin + "/breachd", "--services=" + name, "--listen=127.0.0.1:0", "--kafka=" + bootstrap_,
        absl::StrCat("--data_dir=", dir_, "/", name),
        absl::StrCat("--identity_file=", dir_, "/identity.json"), "--ready_file=" + ready,
        "--regimes_dir=" + kSource + "/regimes", "--templates_dir=" + kSource + "/templates",
        "--dev_identity", "--insecure"};
    std::vector<std::string> peers;
    for (const std::string& source : sources) peers.push_back(source + "=" + endpoints_[source]);
    if (!peers.empty()) argv.push_back("--peers=" + absl::StrJoin(peers, ","));
    auto process = ChildProcess::Start(argv, absl::StrCat(dir_, "/", name));
    ASSERT_TRUE(process.ok()) << process.status();
    services_[name] = std::make_unique<ChildProcess>(*std::move(process));
    ASSERT_TRUE(WaitUntil([&] { return !ReadFile(ready).empty(); })) << services_[name]->Stderr();
    endpoints_[name] = nlohmann::json::parse(ReadFile(ready))["endpoint"];
  }

  std::vector<std::string> Env(const std::string& token) {
    return {"BREACHCTL_INTAKE_ENDPOINT=" + endpoints_["intake"],
            "BREACHCTL_ASSESSMENT_ENDPOINT=" + endpoints_["assessment"],
            "BREACHCTL_REGISTER_ENDPOINT=" + endpoints_["register"],
            "BREACHCTL_ENDPOINT=" + endpoints_["register"], "BREACHCTL_TOKEN=" + token,
            "BREACHCTL_INSECURE=1"};
  }
  CommandResult Breachctl(std::vector<std::string> args, const std::string& token) {
    args.insert(args.begin(), kBin + "/breachctl");
    return RunCommand(args, "", Env(token));
  }

  // Runs a command that must succeed and returns its JSON answer.
  nlohmann::json Ok(std::vector<std::string> args, const std::string& token) {
    args.insert(args.begin(), kBin + "/breachctl");
    return RunForJson(args, Env(token));
  }
  // The answer, or null while the command fails: for polling a projection that fills in behind.
  nlohmann::json Poll(std::vector<std::string> args, const std::string& token) {
    args.insert(args.end(), {"-o", "json"});
    const CommandResult result = Breachctl(args, token);
    return result.exit_code == 0 ? nlohmann::json::parse(result.out) : nlohmann::json();
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::string dir_;
  std::string bootstrap_;
  std::unique_ptr<ChildProcess> bus_;
  std::map<std::string, std::unique_ptr<ChildProcess>> services_;
  std::map<std::string, std::string> endpoints_;
};

TEST_F(LifecycleEndToEndTest, ReportTriageActionAssessOverrideReachTheRegister) {
  // Staff report the lost laptop.
  const nlohmann::json report = Ok({"report", "create", "-f",
                                    kSource + "/docs/examples/report-lost-laptop.json"},
                                   kVespucciStaffToken);
  const std::string id = report.value("breach_id", "");
  ASSERT_FALSE(id.empty());

  // The head judges it a breach, aware an hour ago.
  const std::string aware_at = absl::FormatTime(absl::RFC3339_sec, absl::Now() - absl::Hours(1),
                                                absl::UTCTimeZone());
  Ok({"breach", "triage", id, "--verdict", "breach", "--aware-at", aware_at, "--evidence",
      "Denuncia alla Polfer", "--reason", "Portatile non cifrato"},
     kVespucciHeadToken);
  // IT records what it did.
  Ok({"action", "add", id, "--what", "Password del registro cambiate", "--responsible",
      "Animatore digitale", "--action-status", "done", "--done-at", aware_at},
     kVespucciItToken);
  EXPECT_EQ(Ok({"action", "list", id}, kVespucciHeadToken)["actions"].size(), 1u);
  // The DPO submits the Allegato B once the assessment service has heard of the triage.
  nlohmann::json version;
  ASSERT_TRUE(WaitUntil([&] {
    const CommandResult result = Breachctl(
        {"assess", "submit", id, "-f", kSource + "/docs/examples/assess-lost-laptop.json",
         "--request-id", "assess-1", "-o", "json"},
        kVespucciDpoToken);
    if (result.exit_code == 0) version = nlohmann::json::parse(result.out);
    return result.exit_code == 0;
  }));
  // The head tells the families although the engine would not require it.
  Ok({"duty", "override", id, "--duty", "subjects", "--required", "true", "--reason",
      "Le famiglie vanno informate"},
     kVespucciHeadToken);
  const CommandResult shown = Breachctl({"assess", "show", id}, kVespucciDpoToken);
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("Le famiglie vanno informate"));

  // The register shows status, classification and duties.
  nlohmann::json entry;
  ASSERT_TRUE(WaitUntil([&] {
    entry = Poll({"breach", "get", id}, kVespucciDpoToken);
    if (!entry.contains("duties")) return false;
    for (const auto& duty : entry["duties"]) {
      if (duty.contains("human_override")) return true;
    }
    return false;
  }, absl::Seconds(60)));
  EXPECT_EQ(entry["status"], "BREACH_STATUS_ASSESSED");
  EXPECT_EQ(entry["classification"], version["result"]["classification"]);
  EXPECT_EQ(entry["verdict"], "TRIAGE_VERDICT_BREACH");

  // The timeline shows every step, with who.
  const nlohmann::json timeline = Ok({"breach", "timeline", id}, kVespucciDpoToken);
  std::map<std::string, std::string> who;
  for (const auto& line : timeline["entries"]) {
    who[line["type"]] = line["actor"]["subject"];
  }
  EXPECT_EQ(who["breach.v1.BreachReported"], "user:segreteria");
  EXPECT_EQ(who["breach.v1.BreachTriaged"], "user:preside-vespucci");
  EXPECT_EQ(who["breach.v1.ContainmentActionRecorded"], "user:it-vespucci");
  EXPECT_EQ(who["breach.v1.AssessmentSubmitted"], "user:dpo-vespucci");
  EXPECT_EQ(who["breach.v1.DutyOverridden"], "user:preside-vespucci");
  EXPECT_TRUE(who.count("breach.v1.BreachClassified"));

  // The DPO confirms the decisions; the head closes the case once the intake has heard.
  Ok({"assess", "decide", id, "--reason", "Valutazione condivisa"}, kVespucciDpoToken);
  EXPECT_TRUE(WaitUntil([&] {
    return Breachctl({"breach", "close", id, "--reason", "Notifiche gestite"}, kVespucciHeadToken)
               .exit_code == 0;
  }));
  EXPECT_TRUE(WaitUntil([&] {
    const nlohmann::json closed = Poll({"breach", "get", id}, kVespucciDpoToken);
    return closed.contains("status") && closed["status"] == "BREACH_STATUS_CLOSED";
  }));

  for (const std::string service : {"intake", "assessment", "register"}) {
    const CommandResult verified =
        Breachctl({"verify", "--endpoint", endpoints_[service]}, kOperatorToken);
    EXPECT_EQ(verified.exit_code, 0) << service << ": " << verified.out << verified.err;
  }
}

}  // namespace
}  // namespace breachd
