// Scale-out, end to end (docs/scaling.md): the standalone bus (devbus, 6 partitions), two
// partitioned intake instances (the home of partitions 0-2 and 3-5), two partitioned register
// instances, one assessment and one notification, each its own breachd process. Reports of two
// schools are filed at both intakes; each report is filed by the intake that is the home of its
// request id and gets an id in that intake's partitions; a request about a breach reaches its
// home from either intake. The two registers split breach.events.v1's partitions in their
// consumer group, each holding and serving the breaches of its partitions. Every report is
// listed exactly once across the registers, and a read of any breach at either register
// reaches its owner. One register is killed (SIGKILL): the other takes its partitions, catches
// them up from the source stores (not from the dead one's disk) and serves every breach;
// restarted, the partitions split again. One intake is killed: its breaches answer UNAVAILABLE
// (never NOT_FOUND, never a second history) until it is back on its disk; the other intake's
// breaches and the reports it is the home of keep working; nothing is lost or doubled. A school
// directory imported at one intake is at both (an incident opens at the home of its request).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "breach/v1/directory.grpc.pb.h"
#include "breach/v1/incident.grpc.pb.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libs/bus/partition_ownership.h"
#include "libs/service/fellow_forwarder.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"
#include "tests/testing/process.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures

const std::string kBin = BREACHD_BIN_DIR;
constexpr int kPartitions = 6;

// A port nobody listens on now: the instances must know each other's addresses before start.
int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(address.sin_port);
}

// What one register instance lists: its entries (every page) and the partitions it serves.
struct InstanceListing {
  std::vector<breach::v1::RegisterEntry> entries;
  std::set<int32_t> partitions;
};

class ScaleOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    dir_ = scratch_->path();
    auto bus = ChildProcess::Start({kBin + "/devbus", "--listen=127.0.0.1:0",
                                    absl::StrCat("--partitions=", kPartitions)},
                                   dir_ + "/devbus");
    ASSERT_TRUE(bus.ok()) << bus.status();
    bus_ = std::make_unique<ChildProcess>(*std::move(bus));
    ASSERT_TRUE(WaitUntil([&] { return absl::StrContains(bus_->Stdout(), "bootstrap="); }))
        << bus_->Stderr();
    for (absl::string_view line : absl::StrSplit(bus_->Stdout(), '\n')) {
      if (absl::StartsWith(line, "bootstrap=")) bootstrap_ = std::string(line.substr(10));
    }
    for (const std::string name :
         {"intake-1", "intake-2", "assessment", "notification", "register-1", "register-2"}) {
      const int port = UnusedPort();
      ASSERT_NE(port, 0);
      endpoints_[name] = absl::StrCat("127.0.0.1:", port);
    }
    // Sources first, as an operator would start them; then the two registers together.
    for (const std::string name : {"intake-1", "intake-2", "assessment", "notification"}) {
      StartInstance(name);
    }
    StartInstance("register-1");
    StartInstance("register-2");
    for (const std::string name : {"intake-1", "intake-2", "assessment", "notification",
                                   "register-1", "register-2"}) {
      AwaitReady(name);
    }
  }

  // "register-2" -> "register".
  static std::string ServiceOf(const std::string& instance) {
    return std::string(instance.substr(0, instance.find('-')));
  }

  std::string Peers(const std::string& instance) {
    std::vector<std::string> peers;
    const std::string service = ServiceOf(instance);
    if (service != "intake") {
      peers.push_back("intake=" + endpoints_["intake-1"]);
      peers.push_back("intake=" + endpoints_["intake-2"]);
    } else {
      peers.push_back("intake=" + endpoints_[instance == "intake-1" ? "intake-2" : "intake-1"]);
    }
    for (const std::string other : {"assessment", "notification"}) {
      if (service != other) peers.push_back(other + "=" + endpoints_[other]);
    }
    if (service == "register") {
      peers.push_back("register=" +
                      endpoints_[instance == "register-1" ? "register-2" : "register-1"]);
    }
    return absl::StrJoin(peers, ",");
  }

  void StartInstance(const std::string& instance) {
    const std::string ready = absl::StrCat(dir_, "/", instance, ".ready");
    std::remove(ready.c_str());
    const std::string service = ServiceOf(instance);
    std::vector<std::string> argv = {
        kBin + "/breachd", "--services=" + service, "--listen=" + endpoints_[instance],
        "--kafka=" + bootstrap_, absl::StrCat("--data_dir=", dir_, "/", instance),
        absl::StrCat("--identity_file=", dir_, "/identity.json"), "--ready_file=" + ready,
        absl::StrCat("--regimes_dir=", BREACHD_SOURCE_DIR, "/regimes"),
        absl::StrCat("--templates_dir=", BREACHD_SOURCE_DIR, "/templates"), "--dev_identity",
        "--insecure", "--peers=" + Peers(instance), "--metrics_listen=127.0.0.1:0"};
    if (service == "register") argv.push_back("--partitioned=register");
    if (service == "intake") {
      argv.push_back("--partitioned=intake");
      argv.push_back(instance == "intake-1" ? "--home_partitions=0-2" : "--home_partitions=3-5");
    }
    auto process = ChildProcess::Start(argv, absl::StrCat(dir_, "/", instance));
    ASSERT_TRUE(process.ok()) << process.status();
    processes_[instance] = std::make_unique<ChildProcess>(*std::move(process));
  }

  void AwaitReady(const std::string& instance) {
    const std::string ready = absl::StrCat(dir_, "/", instance, ".ready");
    ASSERT_TRUE(WaitUntil(
        [&] { return !ReadFile(ready).empty() || !processes_[instance]->Running(); },
        absl::Seconds(60)));
    ASSERT_FALSE(ReadFile(ready).empty()) << processes_[instance]->Stderr();
  }

  std::unique_ptr<breach::v1::RegisterService::Stub> Register(const std::string& instance) {
    return breach::v1::RegisterService::NewStub(
        grpc::CreateChannel(endpoints_[instance], grpc::InsecureChannelCredentials()));
  }

  // Files `count` lost-laptop reports, alternating the intakes and the two schools.
  std::vector<std::string> File(int count, const std::string& prefix) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      const bool galilei = i % 2 == 1;
      auto intake = breach::v1::IntakeService::NewStub(grpc::CreateChannel(
          endpoints_[i % 4 < 2 ? "intake-1" : "intake-2"], grpc::InsecureChannelCredentials()));
      breach::v1::ReportBreachRequest request;
      request.set_request_id(absl::StrCat(prefix, i));
      *request.mutable_report() = LostLaptopReport(galilei ? kGalilei : kVespucci);
      breach::v1::Report report;
      const grpc::Status status = intake->ReportBreach(
          CallAs(galilei ? kGalileiDpoToken : kVespucciDpoToken).get(), request, &report);
      EXPECT_TRUE(status.ok()) << status.error_message();
      ids.push_back(report.breach_id());
    }
    return ids;
  }

  // The provider's register as one instance lists it (nullopt if it cannot answer).
  std::optional<InstanceListing> ListInstance(const std::string& instance) {
    auto stub = Register(instance);
    breach::v1::ListBreachesRequest request;
    request.set_page_size(500);
    InstanceListing listing;
    do {
      breach::v1::ListBreachesResponse page;
      if (!stub->ListBreaches(CallAs(kOperatorToken).get(), request, &page).ok()) {
        return std::nullopt;
      }
      if (page.partition_count() != kPartitions) return std::nullopt;  // not assigned yet
      listing.entries.insert(listing.entries.end(), page.entries().begin(), page.entries().end());
      listing.partitions = {page.partitions().begin(), page.partitions().end()};
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return listing;
  }

  // True when `instances` together serve every partition once and list exactly `expected`,
  // each breach once and (`one_event`) with its one report applied once. The routing rule for
  // a listing: ask every instance, merge.
  bool ListsExactly(const std::vector<std::string>& instances,
                    const std::vector<std::string>& expected, bool one_event = true) {
    std::multiset<std::string> listed;
    std::multiset<int32_t> partitions;
    last_state_.clear();
    for (const std::string& instance : instances) {
      std::optional<InstanceListing> listing = ListInstance(instance);
      if (!listing.has_value()) {
        absl::StrAppend(&last_state_, instance, ": no answer; ");
        return false;
      }
      absl::StrAppend(&last_state_, instance, ": partitions ",
                      absl::StrJoin(listing->partitions, ","), ", ", listing->entries.size(),
                      " entries; ");
      partitions.insert(listing->partitions.begin(), listing->partitions.end());
      for (const auto& entry : listing->entries) {
        listed.insert(entry.breach_id());
        if (one_event && entry.events() != 1) {
          absl::StrAppend(&last_state_, entry.breach_id(), " has ", entry.events(), " events; ");
          return false;
        }
      }
    }
    std::multiset<int32_t> every;
    for (int32_t p = 0; p < kPartitions; ++p) every.insert(p);
    return partitions == every &&
           listed == std::multiset<std::string>(expected.begin(), expected.end());
  }

  // The breaches `breachctl breach list` shows when given every register instance (it lists
  // each and merges); -1 when it fails.
  int BreachctlListed(const std::vector<std::string>& instances) {
    std::vector<std::string> endpoints;
    for (const std::string& instance : instances) endpoints.push_back(endpoints_[instance]);
    const CommandResult result = RunCommand(
        {kBin + "/breachctl", "breach", "list", "-o", "json", "--page-size", "50"}, "",
        {"BREACHCTL_REGISTER_ENDPOINT=" + absl::StrJoin(endpoints, ","),
         std::string("BREACHCTL_TOKEN=") + kOperatorToken, "BREACHCTL_INSECURE=1"});
    if (result.exit_code != 0) {
      last_state_ = result.err;
      return -1;
    }
    const auto doc = nlohmann::json::parse(result.out);
    std::set<std::string> ids;
    for (const auto& entry : doc.value("entries", nlohmann::json::array())) {
      ids.insert(entry["breach_id"].get<std::string>());
    }
    return ids.size() == doc.value("entries", nlohmann::json::array()).size()
               ? static_cast<int>(ids.size())
               : -2;
  }

  // Every breach can be read at `instance`, whichever instance owns it; a school reads only
  // its own breaches, also through another instance.
  void ExpectReadableThrough(const std::string& instance, const std::vector<std::string>& ids) {
    auto stub = Register(instance);
    for (size_t i = 0; i < ids.size(); ++i) {
      breach::v1::GetBreachRequest request;
      request.set_breach_id(ids[i]);
      breach::v1::RegisterEntry entry;
      const grpc::Status status = stub->GetBreach(CallAs(kOperatorToken).get(), request, &entry);
      ASSERT_TRUE(status.ok()) << instance << " " << ids[i] << ": " << status.error_message();
      EXPECT_EQ(entry.breach_id(), ids[i]);
      // Filed alternately by Vespucci and Galilei: the other school may not read it.
      const char* other = entry.tenant() == kVespucci ? kGalileiDpoToken : kVespucciDpoToken;
      breach::v1::RegisterEntry refused;
      EXPECT_FALSE(stub->GetBreach(CallAs(other).get(), request, &refused).ok()) << ids[i];
      EXPECT_TRUE(refused.breach_id().empty());
    }
  }

  // The intake instance that is the home of a breach id or of a request's idempotency key.
  static std::string HomeOf(const std::string& key) {
    return bus::PartitionOfKey(key, kPartitions) < 3 ? "intake-1" : "intake-2";
  }
  static std::string OtherIntake(const std::string& instance) {
    return instance == "intake-1" ? "intake-2" : "intake-1";
  }

  std::unique_ptr<breach::v1::IntakeService::Stub> Intake(const std::string& instance) {
    return breach::v1::IntakeService::NewStub(
        grpc::CreateChannel(endpoints_[instance], grpc::InsecureChannelCredentials()));
  }

  // Files a lost-laptop report of Vespucci at `instance`; a request id used before sends the
  // very same request again (a retry).
  grpc::Status FileAt(const std::string& instance, const std::string& request_id,
                      breach::v1::Report* report) {
    auto [it, first] = requests_.try_emplace(request_id);
    if (first) {
      it->second.set_request_id(request_id);
      *it->second.mutable_report() = LostLaptopReport(kVespucci);
    }
    return Intake(instance)->ReportBreach(CallAs(kVespucciDpoToken).get(), it->second, report);
  }

  // GetReport of `id` at `instance` as its school's DPO; `direct` as a forwarded call, which
  // the instance answers only for a breach it holds itself.
  grpc::Status ReadAt(const std::string& instance, const std::string& id, bool direct = false,
                      const char* token = kVespucciDpoToken) {
    auto context = CallAs(token);
    if (direct) context->AddMetadata(service::kForwardedHeader, "1");
    breach::v1::GetReportRequest request;
    request.set_breach_id(id);
    breach::v1::Report report;
    grpc::Status status = Intake(instance)->GetReport(context.get(), request, &report);
    if (status.ok()) {
      EXPECT_EQ(report.breach_id(), id);
    }
    return status;
  }

  // The registers' log lines about partitions and catch-up, for a failure message.
  std::string RegisterLogs() {
    std::string out;
    for (const std::string instance : {"register-1", "register-2"}) {
      for (absl::string_view line : absl::StrSplit(processes_[instance]->Stderr(), '\n')) {
        if (absl::StrContains(line, "partition") || absl::StrContains(line, "catch-up") ||
            absl::StrContains(line, "caught up") || absl::StrContains(line, "\"error\"")) {
          absl::StrAppend(&out, instance, ": ", line.substr(0, 400), "\n");
        }
      }
    }
    return out;
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::string dir_;
  std::string bootstrap_;
  std::unique_ptr<ChildProcess> bus_;
  std::map<std::string, std::unique_ptr<ChildProcess>> processes_;
  std::map<std::string, std::string> endpoints_;
  std::string last_state_;
  std::map<std::string, breach::v1::ReportBreachRequest> requests_;  // FileAt's, by request id
};

TEST_F(ScaleOutTest, TwoRegistersSplitTheBreachesAndOneTakesOverWhenTheOtherIsKilled) {
  const std::vector<std::string> both = {"register-1", "register-2"};
  std::vector<std::string> ids = File(60, "first-");
  ASSERT_TRUE(WaitUntil([&] { return ListsExactly(both, ids); }, absl::Seconds(90),
                        absl::Milliseconds(500)))
      << last_state_ << "\n" << RegisterLogs();
  // Both hold a share: the work is divided, not duplicated.
  for (const std::string& instance : both) {
    EXPECT_FALSE(ListInstance(instance)->entries.empty()) << instance;
  }
  ExpectReadableThrough("register-1", ids);
  ExpectReadableThrough("register-2", ids);
  // breachctl follows the same rule: every instance, every page (50 a page here), merged.
  EXPECT_EQ(BreachctlListed(both), static_cast<int>(ids.size())) << last_state_;

  // register-2 dies without a word; reports keep coming.
  processes_["register-2"]->Signal(SIGKILL);
  const absl::Time killed = absl::Now();
  std::vector<std::string> more = File(20, "while-down-");
  ids.insert(ids.end(), more.begin(), more.end());
  ASSERT_TRUE(WaitUntil([&] { return ListsExactly({"register-1"}, ids); }, absl::Seconds(90),
                        absl::Milliseconds(500)))
      << last_state_ << "\n" << RegisterLogs();
  // The session timeout (6 s) and a catch-up of the gained partitions from every source.
  std::printf("takeover: register-1 serves all %d partitions and %zu breaches %.1f s after "
              "register-2 was killed\n",
              kPartitions, ids.size(), absl::ToDoubleSeconds(absl::Now() - killed));
  ExpectReadableThrough("register-1", ids);

  // Back on its port and disk: the partitions split again, nothing lost or doubled.
  StartInstance("register-2");
  AwaitReady("register-2");
  more = File(20, "after-");
  ids.insert(ids.end(), more.begin(), more.end());
  ASSERT_TRUE(WaitUntil(
      [&] {
        return ListsExactly(both, ids) && !ListInstance("register-1")->partitions.empty() &&
               !ListInstance("register-2")->partitions.empty();
      },
      absl::Seconds(90), absl::Milliseconds(500)))
      << last_state_ << "\n" << RegisterLogs();
  ExpectReadableThrough("register-2", ids);
  EXPECT_EQ(BreachctlListed(both), static_cast<int>(ids.size())) << last_state_;
}

TEST_F(ScaleOutTest, TwoIntakesEachHoldTheirPartitionsAndOneIsKilledAndRestarted) {
  const std::vector<std::string> registers = {"register-1", "register-2"};
  // Filed alternately at both intakes: each report lands at the home of its request id and
  // gets an id in that home's partitions.
  std::vector<std::string> ids;
  std::map<std::string, int> held;
  for (int i = 0; i < 24; ++i) {
    const std::string request_id = absl::StrCat("split-", i);
    breach::v1::Report report;
    const grpc::Status status = FileAt(i % 2 == 0 ? "intake-1" : "intake-2", request_id, &report);
    ASSERT_TRUE(status.ok()) << status.error_message();
    const std::string home = HomeOf(report.breach_id());
    EXPECT_EQ(home, HomeOf(absl::StrCat("idempotency/", kVespucci, "/", request_id)));
    ++held[home];
    // Its stream is at its home, and only there.
    EXPECT_TRUE(ReadAt(home, report.breach_id(), /*direct=*/true).ok());
    EXPECT_EQ(ReadAt(OtherIntake(home), report.breach_id(), /*direct=*/true).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
    ids.push_back(report.breach_id());
  }
  EXPECT_EQ(held.size(), 2u) << "both intakes hold a share";
  // A retry at the other intake is the same report (the idempotency key routes it home).
  breach::v1::Report again;
  const grpc::Status retried = FileAt("intake-2", "split-0", &again);
  ASSERT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_EQ(again.breach_id(), ids[0]);
  // Reads and changes through either intake reach the home; another school still sees nothing.
  for (size_t i = 0; i < 6; ++i) {
    for (const std::string intake : {"intake-1", "intake-2"}) {
      EXPECT_TRUE(ReadAt(intake, ids[i]).ok()) << intake << " " << ids[i];
      EXPECT_EQ(ReadAt(intake, ids[i], false, kGalileiDpoToken).error_code(),
                grpc::StatusCode::NOT_FOUND);
    }
    breach::v1::AddActionRequest action;
    action.set_breach_id(ids[i]);
    action.set_request_id(absl::StrCat("action-", i));
    action.set_what("Remote wipe of the laptop");
    action.set_responsible("IT office");
    breach::v1::ContainmentAction recorded;
    const grpc::Status status = Intake(OtherIntake(HomeOf(ids[i])))
                                    ->AddAction(CallAs(kVespucciDpoToken).get(), action, &recorded);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  ASSERT_TRUE(WaitUntil([&] { return ListsExactly(registers, ids, /*one_event=*/false); },
                        absl::Seconds(90), absl::Milliseconds(500)))
      << last_state_ << "\n" << RegisterLogs();

  // intake-2 dies without a word.
  processes_["intake-2"]->Signal(SIGKILL);
  for (const std::string& id : ids) {
    const grpc::Status status = ReadAt("intake-1", id);
    if (HomeOf(id) == "intake-1") {
      EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
    } else {
      // Never NOT_FOUND, never a second history: "try again".
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << id;
    }
  }
  // New reports keep coming to intake-1: those whose request id intake-1 is the home of are
  // filed; the others cannot know whether a first attempt reached intake-2, so they wait.
  std::vector<std::string> refused;
  for (int i = 0; i < 12; ++i) {
    const std::string request_id = absl::StrCat("while-down-", i);
    breach::v1::Report report;
    const grpc::Status status = FileAt("intake-1", request_id, &report);
    if (HomeOf(absl::StrCat("idempotency/", kVespucci, "/", request_id)) == "intake-1") {
      ASSERT_TRUE(status.ok()) << status.error_message();
      EXPECT_EQ(HomeOf(report.breach_id()), "intake-1");
      ids.push_back(report.breach_id());
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
      refused.push_back(request_id);
    }
  }
  ASSERT_TRUE(WaitUntil([&] { return ListsExactly(registers, ids, /*one_event=*/false); },
                        absl::Seconds(90), absl::Milliseconds(500)))
      << last_state_ << "\n" << RegisterLogs();

  // Back on its port and disk: its breaches answer again, the refused reports are filed once
  // when retried, and every breach is listed exactly once.
  const absl::Time restarted = absl::Now();
  StartInstance("intake-2");
  AwaitReady("intake-2");
  std::printf("intake-2 restarted and serving its partitions in %.1f s\n",
              absl::ToDoubleSeconds(absl::Now() - restarted));
  for (const std::string& request_id : refused) {
    breach::v1::Report report;
    const grpc::Status status = FileAt("intake-1", request_id, &report);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(HomeOf(report.breach_id()), "intake-2");
    ids.push_back(report.breach_id());
  }
  for (const std::string& id : ids) {
    for (const std::string intake : {"intake-1", "intake-2"}) {
      EXPECT_TRUE(ReadAt(intake, id).ok()) << intake << " " << id;
    }
  }
  ASSERT_TRUE(WaitUntil([&] { return ListsExactly(registers, ids, /*one_event=*/false); },
                        absl::Seconds(90), absl::Milliseconds(500)))
      << last_state_ << "\n" << RegisterLogs();
  std::printf("intakes: %zu breaches, %d held by intake-1 and %d by intake-2 before the kill, "
              "%zu reports refused while intake-2 was down and filed once after\n",
              ids.size(), held["intake-1"], held["intake-2"], refused.size());
}


// The directory a school import sends to one intake, as breachctl through a load balancer would.
std::string DirectoryCsv(const std::vector<std::string>& codes) {
  std::string csv =
      "CODICESCUOLA,DENOMINAZIONESCUOLA,INDIRIZZOSCUOLA,CAPSCUOLA,DESCRIZIONECOMUNE,"
      "INDIRIZZOEMAILSCUOLA,INDIRIZZOPECSCUOLA,SERVIZI\n";
  for (const std::string& code : codes) {
    const std::string lower = absl::AsciiStrToLower(code);
    absl::StrAppend(&csv, code, ",Scuola ", code, ",Via Roma 1,20100,Milano,", lower,
                    "@istruzione.it,", lower, "@pec.istruzione.it,registro-elettronico\n");
  }
  return csv;
}

TEST_F(ScaleOutTest, ADirectoryImportedAtOneIntakeReachesTheOtherAndIncidentsOpenAndListAtEither) {
  auto directory = [&](const std::string& instance) {
    return breach::v1::DirectoryService::NewStub(
        grpc::CreateChannel(endpoints_[instance], grpc::InsecureChannelCredentials()));
  };
  auto listed = [&](const std::string& instance) {
    breach::v1::ListSchoolsRequest request;
    breach::v1::ListSchoolsResponse response;
    const grpc::Status status =
        directory(instance)->ListSchools(CallAs(kOperatorToken).get(), request, &response);
    EXPECT_TRUE(status.ok()) << instance << ": " << status.error_message();
    std::set<std::string> codes;
    for (const auto& school : response.schools()) codes.insert(school.code());
    return codes;
  };
  const std::vector<std::string> first = {kVespucci, kGalilei, "NAIC00100A"};
  breach::v1::ImportSchoolsRequest import;
  import.set_csv(DirectoryCsv(first));
  breach::v1::ImportSchoolsResponse imported;
  grpc::Status status =
      directory("intake-1")->ImportSchools(CallAs(kOperatorToken).get(), import, &imported);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(imported.added(), 3);
  const std::set<std::string> expected(first.begin(), first.end());
  EXPECT_EQ(listed("intake-1"), expected);
  EXPECT_EQ(listed("intake-2"), expected);

  // Opened through either intake, the incident reaches every school of the service: its home
  // (the home of its request) has the directory whichever intake was called.
  for (const std::string intake : {"intake-1", "intake-2"}) {
    auto incidents = breach::v1::IncidentService::NewStub(
        grpc::CreateChannel(endpoints_[intake], grpc::InsecureChannelCredentials()));
    breach::v1::Incident incident;
    status = incidents->CreateIncident(CallAs(kOperatorToken).get(),
                                       RegisterIncidentRequest("incident-via-" + intake),
                                       &incident);
    ASSERT_TRUE(status.ok()) << intake << ": " << status.error_message();
    EXPECT_EQ(incident.schools_size(), 3) << intake;
  }
  // Each is listed at either intake, wherever its home is, newest first.
  for (const std::string intake : {"intake-1", "intake-2"}) {
    auto incidents = breach::v1::IncidentService::NewStub(
        grpc::CreateChannel(endpoints_[intake], grpc::InsecureChannelCredentials()));
    breach::v1::ListIncidentsResponse listed_incidents;
    status = incidents->ListIncidents(CallAs(kOperatorToken).get(), {}, &listed_incidents);
    ASSERT_TRUE(status.ok()) << intake << ": " << status.error_message();
    ASSERT_EQ(listed_incidents.incidents_size(), 2) << intake;
    EXPECT_GT(listed_incidents.incidents(0).incident_id(),
              listed_incidents.incidents(1).incident_id());
  }

  // A fellow down: the import is taken here, the answer names the fellow that missed it, and the
  // same import once it is back completes the directory there without doubling anything.
  processes_["intake-2"]->Signal(SIGKILL);
  const std::vector<std::string> second = {kVespucci, kGalilei, "NAIC00100A", "TOIS00200B"};
  import.set_csv(DirectoryCsv(second));
  status = directory("intake-1")->ImportSchools(CallAs(kOperatorToken).get(), import, &imported);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(absl::StrContains(status.error_message(), endpoints_["intake-2"]))
      << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "run the same import again"));
  EXPECT_EQ(listed("intake-1").size(), 4u);
  StartInstance("intake-2");
  AwaitReady("intake-2");
  EXPECT_EQ(listed("intake-2"), expected) << "the import it missed is not there yet";
  status = directory("intake-1")->ImportSchools(CallAs(kOperatorToken).get(), import, &imported);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(imported.added(), 0);
  EXPECT_EQ(imported.total(), 4);
  EXPECT_EQ(listed("intake-2").size(), 4u);
}

}  // namespace
}  // namespace breachd
