// End to end, as an operator would run it: the standalone bus (devbus) and the intake and
// register services each in their own breachd process, driven only through breachctl. The
// register is killed with SIGKILL mid-run and restarted; nothing may be lost or doubled.
#include <fstream>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "breach/v1/admin.grpc.pb.h"
#include "breach/v1/tenant.pb.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "libs/privacy/testing/test_keyring.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/process.h"
#include "tests/testing/stored_events.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;

const std::string kBin = BREACHD_BIN_DIR;
const std::string kExamples = std::string(BREACHD_SOURCE_DIR) + "/docs/examples/";

class MultiProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    dir_ = scratch_->path();
    std::ofstream(dir_ + "/master.key") << std::string(64, '7') << "\n";
    // Port 0: tests running in parallel must not share devbus's default port.
    auto bus = ChildProcess::Start({kBin + "/devbus", "--listen=127.0.0.1:0",
                                    absl::StrCat("--partitions=", partitions_)},
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
    std::vector<std::string> argv = {
        kBin + "/breachd", "--services=" + name, "--listen=127.0.0.1:0",
        "--kafka=" + bootstrap_, absl::StrCat("--data_dir=", dir_, "/", name),
        absl::StrCat("--identity_file=", dir_, "/identity.json"), "--ready_file=" + ready,
        "--dev_identity", "--insecure",
        // One keyring for the deployment: the register opens what the intake sealed.
        absl::StrCat("--keyring_dir=", dir_, "/keyring"),
        absl::StrCat("--master_key_file=", dir_, "/master.key")};
    // The register catches up from the intake store when the bus lacks events.
    if (name == "register") argv.push_back("--peers=intake=" + endpoints_["intake"]);
    auto process = ChildProcess::Start(argv, absl::StrCat(dir_, "/", name));
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
                       "BREACHCTL_ENDPOINT=" + endpoints_["register"], "BREACHCTL_TOKEN=" + token,
                       "BREACHCTL_INSECURE=1"});
  }

  // `breachctl verify` of the intake's and the register's stores passes. A store signs its first
  // checkpoint within a second of its first event (a store that was empty until a moment ago has
  // none yet, and verify refuses events no checkpoint signs), so this waits for that second.
  void ExpectIntakeAndRegisterVerify() {
    for (std::string service : {"intake", "register"}) {
      CommandResult verified;
      EXPECT_TRUE(WaitUntil(
          [&] {
            verified =
                Breachctl({"verify", "--endpoint", endpoints_[service]}, kOperatorToken);
            return verified.exit_code == 0;
          },
          absl::Seconds(15), absl::Milliseconds(250)))
          << service << ": " << verified.out << verified.err;
    }
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

  std::shared_ptr<grpc::Channel> Channel(const std::string& service) {
    return grpc::CreateChannel(endpoints_[service], grpc::InsecureChannelCredentials());
  }

  // The `Act` records (TenantErased, ReadRecordsPruned) in `service`'s store, by school.
  template <typename Act>
  std::multimap<std::string, Act> Recorded(const std::string& service) {
    std::multimap<std::string, Act> found;
    for (const auto& event : StoredEvents(Channel(service), service, kServiceToken)) {
      Act act;
      if (event.payload().UnpackTo(&act)) {
        EXPECT_EQ(event.source(), service);
        found.emplace(act.tenant(), act);
      }
    }
    return found;
  }


  // Every entry of the provider's register, page by page (-1 if the register cannot answer).
  int RegisterCount() {
    auto entries = RegisterEntries();
    return entries.has_value() ? static_cast<int>(entries->size()) : -1;
  }
  std::optional<std::vector<breach::v1::RegisterEntry>> RegisterEntries() {
    auto stub = breach::v1::RegisterService::NewStub(Channel("register"));
    breach::v1::ListBreachesRequest request;
    request.set_page_size(500);
    std::vector<breach::v1::RegisterEntry> entries;
    do {
      breach::v1::ListBreachesResponse page;
      if (!stub->ListBreaches(CallAs(kOperatorToken).get(), request, &page).ok()) return std::nullopt;
      entries.insert(entries.end(), page.entries().begin(), page.entries().end());
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return entries;
  }

  // Files `count` copies of `form` straight over gRPC (faster than a breachctl per report).
  void FileOverGrpc(int count, const std::string& prefix,
                    const breach::v1::BreachReport& form = LostLaptopReport(kVespucci)) {
    auto intake = breach::v1::IntakeService::NewStub(Channel("intake"));
    for (int i = 0; i < count; ++i) {
      breach::v1::ReportBreachRequest request;
      request.set_request_id(absl::StrCat(prefix, i));
      *request.mutable_report() = form;
      breach::v1::Report report;
      const grpc::Status status =
          intake->ReportBreach(CallAs(kVespucciDpoToken).get(), request, &report);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
  }

  int partitions_ = 4;
  std::unique_ptr<ScratchDir> scratch_;  // outlives everything that writes into it
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
  ExpectIntakeAndRegisterVerify();
  // SIGTERM drains and exits cleanly.
  for (std::string service : {"intake", "register"}) {
    const int status = services_[service]->Signal(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << service << " " << status;
  }
}

TEST_F(MultiProcessTest, DevbusKilledAndRestartedMidLoadLosesNothing) {
  FileOverGrpc(100, "before-");
  // Mid-load: the intake relay is still publishing when the bus dies with every topic.
  bus_->Signal(SIGKILL);
  FileOverGrpc(50, "while-down-");  // acknowledged: durable in the intake store
  auto bus = ChildProcess::Start({kBin + "/devbus", "--listen=" + bootstrap_,
                                  absl::StrCat("--partitions=", partitions_)},
                                 dir_ + "/devbus-again");
  ASSERT_TRUE(bus.ok()) << bus.status();
  bus_ = std::make_unique<ChildProcess>(*std::move(bus));
  FileOverGrpc(100, "after-");

  // Every acknowledged report reaches the register exactly once, without restarting anything.
  ASSERT_TRUE(WaitUntil([&] { return RegisterCount() == 250; }, absl::Seconds(90),
                        absl::Milliseconds(500)))
      << RegisterCount() << services_["register"]->Stderr();
  auto entries = RegisterEntries();
  ASSERT_TRUE(entries.has_value());
  for (const auto& entry : *entries) EXPECT_EQ(entry.events(), 1u) << entry.breach_id();
}

TEST_F(MultiProcessTest, BreachctlReportsErrorsInOneLineAndExitsNonZero) {
  CommandResult bad = Breachctl({"report", "create", "-f", "-"}, kVespucciDpoToken,
                                R"({"tenant": "MIIS01200V", "place": "x"})");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("INVALID_ARGUMENT: report."));
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1);

  const std::string id = Report("report-lost-laptop.json", "x1");
  ASSERT_TRUE(WaitUntil([&] { return RegisterSize() == 1; }));
  // Another school's breach is not found, exactly like one that does not exist.
  CommandResult denied = Breachctl({"breach", "get", id}, kGalileiDpoToken);
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_EQ(denied.err, "breachctl: NOT_FOUND: no breach " + id + " in the register\n");
  CommandResult shown = Breachctl({"breach", "get", id}, kVespucciDpoToken);
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_THAT(shown.out, HasSubstr(id));
}

// librdkafka's mock broker keeps about 5 MB per partition and drops the oldest messages.
class OneSmallPartitionTest : public MultiProcessTest {
 protected:
  void SetUp() override {
    partitions_ = 1;
    MultiProcessTest::SetUp();
  }
};

TEST_F(OneSmallPartitionTest, PausedRegisterCatchesUpFarBeyondWhatTheBusKeeps) {
  breach::v1::BreachReport form = LostLaptopReport(kVespucci);
  form.set_description(std::string(8000, 'x'));  // about 8 KB per event on the bus
  auto file = [&](int count, const std::string& prefix) { FileOverGrpc(count, prefix, form); };
  // The register is reading along: it has a position on the bus.
  file(5, "before-");
  ASSERT_TRUE(WaitUntil([&] { return RegisterCount() == 5; }));

  ASSERT_EQ(kill(services_["register"]->pid(), SIGSTOP), 0);
  // ~12 MB: far more than the broker keeps for the partition while the register sleeps.
  file(1500, "paused-");
  constexpr int kReports = 1505;
  ASSERT_EQ(kill(services_["register"]->pid(), SIGCONT), 0);

  // Every acknowledged report, exactly once, without a restart.
  // Each listing is recorded as a read of every breach it shows: poll twice a second.
  ASSERT_TRUE(WaitUntil([&] { return RegisterCount() == kReports; }, absl::Seconds(120),
                        absl::Milliseconds(500)))
      << RegisterCount();
  // The bus consumer notices the offsets the broker dropped: a gap, logged and counted.
  auto admin = breach::v1::AdminService::NewStub(Channel("register"));
  auto intake_row = [&]() -> std::optional<breach::v1::SourceDelivery> {
    breach::v1::GetDeliveryStatusResponse status;
    if (!admin->GetDeliveryStatus(CallAs(kOperatorToken).get(), {}, &status).ok()) return std::nullopt;
    for (const auto& row : status.sources()) {
      if (row.source() == "intake") return row;
    }
    return std::nullopt;
  };
  ASSERT_TRUE(WaitUntil([&] {
    auto row = intake_row();
    return row.has_value() && row->gaps_detected() >= 1 && row->gaps_repaired() >= 1;
  })) << "the lost offsets went unnoticed: " << services_["register"]->Stderr();
  EXPECT_GT(intake_row()->caught_up_events(), 0u);
  EXPECT_THAT(services_["register"]->Stderr(), HasSubstr("gone from the broker"));
  EXPECT_EQ(RegisterCount(), kReports);
}

// `tenant erase` runs in the intake's process; the register's process learns of it through its
// consumer: while it was down (a catch-up from the intake's store on restart) and while it
// runs (the bus). Each store records the erasure once, with the same erasure id.
TEST_F(MultiProcessTest, AnErasureReachesEveryProcessIncludingOneDownAtTheTime) {
  Report("report-lost-laptop.json", "erase-1");
  ASSERT_TRUE(WaitUntil([&] { return RegisterSize() == 1; }));
  auto erasures = [&](const std::string& service) {
    return Recorded<breach::v1::TenantErased>(service);
  };
  auto erase = [&](const std::string& school) {
    CommandResult erased = Breachctl({"tenant", "erase", school, "--confirm", school, "--reason",
                                      "contract ended", "-o", "json"},
                                     kOperatorToken);
    ASSERT_EQ(erased.exit_code, 0) << erased.err;
  };

  services_["register"]->Signal(SIGKILL);
  erase(kVespucci);
  StartService("register");
  ASSERT_TRUE(WaitUntil([&] { return erasures("register").count(kVespucci) == 1; },
                        absl::Seconds(60)))
      << services_["register"]->Stderr();
  const breach::v1::TenantErased in_intake = erasures("intake").find(kVespucci)->second;
  const breach::v1::TenantErased in_register = erasures("register").find(kVespucci)->second;
  EXPECT_FALSE(in_intake.erasure_id().empty());
  EXPECT_EQ(in_register.erasure_id(), in_intake.erasure_id());
  EXPECT_EQ(in_register.followed_from(), "intake");
  EXPECT_TRUE(in_intake.followed_from().empty());

  // Both running: over the bus.
  erase(kGalilei);
  ASSERT_TRUE(WaitUntil([&] { return erasures("register").count(kGalilei) == 1; }));
  // The register's copies reach the intake over the bus too; it records nothing more (the
  // copy's derived event id is already stored there: erasure_follow_test shows it).
  EXPECT_EQ(erasures("intake").size(), 2u);
  EXPECT_EQ(erasures("register").size(), 2u);
  ExpectIntakeAndRegisterVerify();
}

// The retention job of the intake's process prunes a read-record month past its 24 months; the
// register's process, down at the time, records the pruning too when it comes back (as an
// erasure, above), with the same pruning id.
TEST_F(MultiProcessTest, APruningOfReadRecordsReachesAProcessDownAtTheTime) {
  // Reads of January 2024 happened: their month key is in the deployment's shared keyring
  // (its master key is 64 '7's: bytes 0x77).
  {
    auto keyring = OpenTestKeyring(dir_ + "/keyring", '\x77');
    ASSERT_TRUE(keyring.ok()) << keyring.status();
    ASSERT_TRUE((*keyring)->KeyForWriting("reads." + std::string(kVespucci) + ".2024-01").ok());
  }
  services_["register"]->Signal(SIGKILL);
  // The intake's retention job runs at start.
  services_["intake"]->Signal(SIGKILL);
  StartService("intake");
  auto pruned = [&](const std::string& service) {
    return Recorded<breach::v1::ReadRecordsPruned>(service);
  };
  ASSERT_TRUE(WaitUntil([&] { return pruned("intake").count(kVespucci) == 1; }))
      << services_["intake"]->Stderr();
  StartService("register");
  ASSERT_TRUE(WaitUntil([&] { return pruned("register").count(kVespucci) == 1; },
                        absl::Seconds(60)))
      << services_["register"]->Stderr();
  const breach::v1::ReadRecordsPruned in_intake = pruned("intake").find(kVespucci)->second;
  const breach::v1::ReadRecordsPruned in_register = pruned("register").find(kVespucci)->second;
  EXPECT_EQ(in_intake.destroyed_keys(0), absl::StrCat("reads.", kVespucci, ".2024-01"));
  EXPECT_FALSE(in_intake.pruning_id().empty());
  EXPECT_EQ(in_register.pruning_id(), in_intake.pruning_id());
  EXPECT_EQ(in_register.followed_from(), "intake");
  // Once each: the register's own retention run at start found the key gone (the copy coming
  // back to the intake records nothing: erasure_follow_test shows it).
  EXPECT_EQ(pruned("intake").size(), 1u);
  EXPECT_EQ(pruned("register").size(), 1u);
  ExpectIntakeAndRegisterVerify();
}

}  // namespace
}  // namespace breachd
