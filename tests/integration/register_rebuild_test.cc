// `breachctl admin rebuild register` over real gRPC, in one process over the embedded bus: the
// register rebuilt from the source stores beside the serving one while reads are served and new
// reports keep arriving, then swapped in with every entry present once and equal to before; and
// who may ask for it.
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "breach/v1/admin.grpc.pb.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/grpcutil/tls.h"
#include "services/breachd/suite.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/process.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::Contains;
using ::testing::HasSubstr;

class RegisterRebuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    suite::SuiteConfig config;
    config.services = {"intake", "register"};
    config.listen = "127.0.0.1:0";
    config.transport = grpcutil::InsecureTransport();
    config.dev_identity = true;
    config.data_dir = scratch_->path();
    config.kafka = "embedded";
    ASSERT_OK_AND_ASSIGN(suite_, suite::Suite::Start(config));
    channel_ = grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials());
  }

  std::string File(const std::string& request_id) {
    auto intake = breach::v1::IntakeService::NewStub(channel_);
    breach::v1::ReportBreachRequest request;
    request.set_request_id(request_id);
    *request.mutable_report() = LostLaptopReport(kVespucci);
    breach::v1::Report report;
    const grpc::Status status = intake->ReportBreach(CallAs(kVespucciDpoToken).get(), request, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report.breach_id();
  }

  // Every entry of the register by breach id; the ids as listed (to count repeats). Pages of 200.
  std::map<std::string, breach::v1::RegisterEntry> Register(std::vector<std::string>* listed = nullptr) {
    auto stub = breach::v1::RegisterService::NewStub(channel_);
    std::map<std::string, breach::v1::RegisterEntry> entries;
    breach::v1::ListBreachesRequest request;
    request.set_page_size(200);
    do {
      breach::v1::ListBreachesResponse response;
      const grpc::Status status =
          stub->ListBreaches(CallAs(kOperatorToken).get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) return entries;
      for (const auto& entry : response.entries()) {
        entries[entry.breach_id()] = entry;
        if (listed) listed->push_back(entry.breach_id());
      }
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return entries;
  }

  breach::v1::Timeline Timeline(const std::string& breach_id) {
    auto stub = breach::v1::RegisterService::NewStub(channel_);
    breach::v1::GetTimelineRequest request;
    request.set_breach_id(breach_id);
    breach::v1::Timeline timeline;
    const grpc::Status status = stub->GetTimeline(CallAs(kOperatorToken).get(), request, &timeline);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return timeline;
  }

  // Runs a rebuild to its end as `token`; the progress it streamed.
  grpc::Status Rebuild(const std::string& token, std::vector<breach::v1::RebuildProgress>* seen,
                       const std::string& service = "register") {
    auto admin = breach::v1::AdminService::NewStub(channel_);
    breach::v1::RebuildProjectionRequest request;
    request.set_service(service);
    auto context = CallAs(token);
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(2));
    auto reader = admin->RebuildProjection(context.get(), request);
    breach::v1::RebuildProgress progress;
    while (reader->Read(&progress)) {
      if (seen) seen->push_back(progress);
    }
    return reader->Finish();
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::unique_ptr<suite::Suite> suite_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(RegisterRebuildTest, ServesReadsWhileRebuildingAndSwapsInEveryEntryOnce) {
  std::set<std::string> filed;
  for (int i = 0; i < 120; ++i) filed.insert(File(absl::StrCat("before-", i)));
  ASSERT_TRUE(WaitUntil([&] { return Register().size() == filed.size(); }));
  const std::map<std::string, breach::v1::RegisterEntry> before = Register();
  const std::string first = before.begin()->first;
  const breach::v1::Timeline timeline_before = Timeline(first);

  // Reports keep coming, and the register keeps being read, before, during and after.
  std::atomic<bool> rebuilt{false};
  std::atomic<int> after_rebuild{0};
  std::atomic<int> reads{0}, read_failures{0}, short_reads{0};
  std::vector<std::string> filed_meanwhile;  // the reporter's until it is joined
  std::atomic<int> meanwhile{0};
  std::thread reporter([&] {
    for (int i = 0; !rebuilt || after_rebuild < 5; ++i) {
      filed_meanwhile.push_back(File(absl::StrCat("meanwhile-", i)));
      ++meanwhile;
      if (rebuilt) ++after_rebuild;
    }
  });
  std::thread reader([&] {
    auto stub = breach::v1::RegisterService::NewStub(channel_);
    while (!rebuilt) {
      breach::v1::ListBreachesRequest request;
      request.set_page_size(500);
      breach::v1::ListBreachesResponse response;
      if (!stub->ListBreaches(CallAs(kOperatorToken).get(), request, &response).ok()) {
        ++read_failures;
      } else if (static_cast<size_t>(response.entries_size()) < before.size()) {
        ++short_reads;  // the old register must serve whole until the swap, the new one after
      }
      ++reads;
    }
  });
  ASSERT_TRUE(WaitUntil([&] { return meanwhile >= 5; }));
  std::vector<breach::v1::RebuildProgress> progress;
  const grpc::Status status = Rebuild(kOperatorToken, &progress);
  rebuilt = true;
  reporter.join();
  reader.join();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(read_failures, 0);
  EXPECT_EQ(short_reads, 0);
  EXPECT_GT(reads, 0);

  std::vector<std::string> phases;
  for (const auto& step : progress) {
    if (phases.empty() || phases.back() != step.phase()) phases.push_back(step.phase());
  }
  EXPECT_THAT(phases, Contains("reading"));
  EXPECT_THAT(phases, Contains("swapping"));
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().phase(), "done");
  EXPECT_EQ(progress.back().generation(), 1u);
  EXPECT_GE(progress.back().events_read(), before.size());
  EXPECT_EQ(suite_->store("register")->ProjectionGeneration(), 1u);

  // Every report, those filed during the rebuild too, exactly once; the earlier ones as before.
  filed.insert(filed_meanwhile.begin(), filed_meanwhile.end());
  ASSERT_TRUE(WaitUntil([&] { return Register().size() == filed.size(); }))
      << Register().size() << " of " << filed.size();
  std::vector<std::string> listed;
  const std::map<std::string, breach::v1::RegisterEntry> after = Register(&listed);
  EXPECT_EQ(listed.size(), filed.size());
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), filed);
  for (const auto& [id, entry] : before) {
    ASSERT_TRUE(after.count(id)) << id;
    EXPECT_EQ(after.at(id).SerializeAsString(), entry.SerializeAsString()) << id;
  }
  // A timeline is what it was, plus the reads made since (each once).
  const breach::v1::Timeline timeline_after = Timeline(first);
  std::set<std::string> lines;
  for (const auto& line : timeline_after.entries()) {
    EXPECT_TRUE(lines.insert(line.event_id()).second) << line.event_id();
  }
  for (const auto& line : timeline_before.entries()) EXPECT_TRUE(lines.count(line.event_id()));

  // The live consumer applies to the new register from here on, and a second rebuild works.
  const std::string late = File("late");
  ASSERT_TRUE(WaitUntil([&] { return Register().count(late) == 1; }));
  ASSERT_TRUE(Rebuild(kOperatorToken, nullptr).ok());
  EXPECT_EQ(suite_->store("register")->ProjectionGeneration(), 2u);
  EXPECT_EQ(Register().size(), filed.size() + 1);
}

TEST_F(RegisterRebuildTest, OnlyProviderOperatorsMayRebuildAndOnlyWhatIsHosted) {
  File("one");
  for (const char* token : {kVespucciDpoToken, kVespucciHeadToken, kVespucciItToken,
                            kVespucciStaffToken, kGalileiDpoToken, kServiceToken}) {
    const grpc::Status status = Rebuild(token, nullptr);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << token;
  }
  EXPECT_EQ(suite_->store("register")->ProjectionGeneration(), 0u);
  const grpc::Status unknown = Rebuild(kOperatorToken, nullptr, "assessment");
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(unknown.error_message(), HasSubstr("service"));
  EXPECT_THAT(unknown.error_message(), HasSubstr("register"));
}

TEST_F(RegisterRebuildTest, BreachctlRebuildsWithALinePerPhaseAndStatusShowsTheSiemFeed) {
  File("one");
  File("two");
  auto breachctl = [&](std::vector<std::string> args, const std::string& token) {
    args.insert(args.begin(), std::string(BREACHD_BIN_DIR) + "/breachctl");
    return RunCommand(args, "",
                      {"BREACHCTL_ENDPOINT=" + suite_->endpoint(), "BREACHCTL_TOKEN=" + token,
                       "BREACHCTL_INSECURE=1"});
  };
  // Not a terminal: a plain line per phase, then the summary.
  const CommandResult rebuilt = breachctl({"admin", "rebuild", "register"}, kOperatorToken);
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  EXPECT_THAT(rebuilt.out, HasSubstr("reading"));
  EXPECT_THAT(rebuilt.out, HasSubstr("swapping"));
  EXPECT_THAT(rebuilt.out, HasSubstr("rebuilt"));
  EXPECT_EQ(suite_->store("register")->ProjectionGeneration(), 1u);

  const CommandResult refused = breachctl({"admin", "rebuild", "register"}, kVespucciDpoToken);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("PERMISSION_DENIED"));
  const CommandResult unknown = breachctl({"admin", "rebuild", "intake"}, kOperatorToken);
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("INVALID_ARGUMENT: service"));

  // The SIEM relays' rows (the feed is on by default).
  const CommandResult status = breachctl({"admin", "status"}, kOperatorToken);
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("SIEM FEED"));
  EXPECT_THAT(status.out, HasSubstr("kafka"));
}

}  // namespace
}  // namespace breachd
