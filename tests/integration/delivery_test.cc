// Delivery across the bus and the stores, in one process over the embedded bus: the register
// catches up from the source stores over gRPC when the bus lacks events, keeps a checkpoint
// per source, and a restart re-publishes nothing. The multi-process versions (a paused
// consumer, a restarted bus) are in tests/e2e.
#include <memory>

#include "breach/v1/admin.grpc.pb.h"
#include "breach/v1/feed.grpc.pb.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/grpcutil/tls.h"
#include "services/breachd/suite.h"
#include "tests/testing/fixtures.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    dir_ = scratch_->path();
  }

  void StartSuite(std::set<std::string> services) {
    suite::SuiteConfig config;
    config.services = std::move(services);
    config.listen = "127.0.0.1:0";
    config.transport = grpcutil::InsecureTransport();  // TLS: tls_handshake_test.cc
    config.dev_identity = true;
    config.data_dir = dir_;
    config.kafka = "embedded";
    ASSERT_OK_AND_ASSIGN(suite_, suite::Suite::Start(config));
    channel_ = grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials());
  }

  void StopSuite() {
    suite_->Stop();
    suite_.reset();
  }


  void File(int count, const std::string& prefix) {
    auto intake = breach::v1::IntakeService::NewStub(channel_);
    for (int i = 0; i < count; ++i) {
      breach::v1::ReportBreachRequest request;
      request.set_request_id(prefix + std::to_string(i));
      *request.mutable_report() = LostLaptopReport(kVespucci);
      breach::v1::Report report;
      ASSERT_TRUE(intake->ReportBreach(CallAs(kVespucciDpoToken).get(), request, &report).ok());
    }
  }

  int RegisterSize() {
    auto stub = breach::v1::RegisterService::NewStub(channel_);
    breach::v1::ListBreachesRequest request;
    request.set_page_size(500);
    breach::v1::ListBreachesResponse response;
    if (!stub->ListBreaches(CallAs(kOperatorToken).get(), request, &response).ok()) return -1;
    return response.entries_size();
  }

  breach::v1::GetDeliveryStatusResponse DeliveryStatus() {
    auto admin = breach::v1::AdminService::NewStub(channel_);
    breach::v1::GetDeliveryStatusResponse response;
    EXPECT_TRUE(admin->GetDeliveryStatus(CallAs(kOperatorToken).get(), {}, &response).ok());
    return response;
  }

  // The register's row for `source` (the intake consumes too, since the lifecycle).
  const breach::v1::SourceDelivery* SourceRow(const breach::v1::GetDeliveryStatusResponse& status,
                                              const std::string& source) {
    for (const auto& row : status.sources()) {
      if (row.consumer() == "register" && row.source() == source) return &row;
    }
    return nullptr;
  }

  std::unique_ptr<ScratchDir> scratch_;  // outlives everything that writes into it
  std::string dir_;
  std::unique_ptr<suite::Suite> suite_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(DeliveryTest, RegisterCatchesUpFromTheStoreWhenTheBusNeverSawTheEvents) {
  // The reports are filed while no register exists; their bus dies with this process.
  StartSuite({"intake"});
  File(25, "early-");
  StopSuite();

  // A new, empty embedded bus, and no re-publication: only the intake store has the reports.
  StartSuite({"intake", "register"});
  ASSERT_TRUE(WaitUntil([&] { return RegisterSize() == 25; })) << RegisterSize();
  const auto status = DeliveryStatus();
  const breach::v1::SourceDelivery* intake = SourceRow(status, "intake");
  ASSERT_NE(intake, nullptr);
  EXPECT_EQ(intake->consumer(), "register");
  EXPECT_GE(intake->caught_up_events(), 25u);
  EXPECT_GE(intake->applied_through(), 25u);
  EXPECT_EQ(intake->lag(), 0u);
  EXPECT_EQ(intake->last_error(), "");
}

TEST_F(DeliveryTest, RestartRepublishesNothingAndResumesFromTheCheckpoint) {
  StartSuite({"intake", "register"});
  File(10, "a-");
  ASSERT_TRUE(WaitUntil([&] { return RegisterSize() == 10; }));
  // Wait for a checkpoint that covers the ten reports (catch-up sweeps advance it).
  ASSERT_TRUE(WaitUntil([&] {
    const auto* row = SourceRow(DeliveryStatus(), "intake");
    return row != nullptr && row->applied_through() >= 10;
  }));
  StopSuite();

  StartSuite({"intake", "register"});
  const auto status = DeliveryStatus();
  for (const auto& outbox : status.outboxes()) {
    EXPECT_EQ(outbox.pending(), 0u) << outbox.service() << " re-published its history";
  }
  const breach::v1::SourceDelivery* intake = SourceRow(status, "intake");
  ASSERT_NE(intake, nullptr);
  EXPECT_GE(intake->applied_through(), 10u);  // resumed from the checkpoint, not from zero
  EXPECT_EQ(intake->caught_up_events(), 0u);  // nothing was missing
  File(1, "b-");
  ASSERT_TRUE(WaitUntil([&] { return RegisterSize() == 11; }));
  // Applied once, by whichever path came first (the bus, or a catch-up sweep).
  const auto* row = SourceRow(DeliveryStatus(), "intake");
  EXPECT_EQ(row->bus_events() + row->caught_up_events(), 1u);
}

TEST_F(DeliveryTest, EventFeedServesAStoreInOrderToServicesAndOperatorsOnly) {
  StartSuite({"intake", "register"});
  File(3, "f-");
  auto feed = breach::v1::EventFeedService::NewStub(channel_);

  breach::v1::ReadEventsRequest request;
  request.set_source("intake");
  request.set_batch_size(2);
  auto context = CallAs(kServiceToken);
  auto reader = feed->ReadEvents(context.get(), request);
  breach::v1::ReadEventsResponse response;
  std::vector<uint64_t> positions;
  bool ended = false;
  uint64_t head = 0;
  while (reader->Read(&response)) {
    for (const auto& event : response.events()) positions.push_back(event.position());
    ended = response.end();
    head = response.head_position();
    EXPECT_LE(response.events_size(), 2);
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_TRUE(ended);
  ASSERT_EQ(positions.size(), 3u);
  EXPECT_TRUE(std::is_sorted(positions.begin(), positions.end()));
  EXPECT_EQ(head, positions.back());

  auto refused = [&](const std::string& token, breach::v1::ReadEventsRequest bad) {
    auto call = CallAs(token);
    auto stream = feed->ReadEvents(call.get(), bad);
    breach::v1::ReadEventsResponse ignored;
    while (stream->Read(&ignored)) {
    }
    return stream->Finish();
  };
  EXPECT_EQ(refused(kVespucciDpoToken, request).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  breach::v1::ReadEventsRequest unknown = request;
  unknown.set_source("billing");
  const grpc::Status no_store = refused(kServiceToken, unknown);
  EXPECT_EQ(no_store.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(no_store.error_message(), HasSubstr("source"));
  breach::v1::ReadEventsRequest huge = request;
  huge.set_batch_size(100000);
  const grpc::Status too_big = refused(kOperatorToken, huge);
  EXPECT_EQ(too_big.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(too_big.error_message(), HasSubstr("batch_size"));
}

TEST_F(DeliveryTest, DeliveryStatusIsForOperators) {
  StartSuite({"intake", "register"});
  auto admin = breach::v1::AdminService::NewStub(channel_);
  breach::v1::GetDeliveryStatusResponse response;
  EXPECT_EQ(admin->GetDeliveryStatus(CallAs(kVespucciDpoToken).get(), {}, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace breachd
