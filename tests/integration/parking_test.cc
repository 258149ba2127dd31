// Parking, end to end through gRPC and the embedded bus: what the API accepts it can publish; an
// event the bus refuses anyway is parked, never holds up later reports, turns the intake's health
// NOT_SERVING, and goes out once an operator retries it. (The register has it all along: it
// catches up from the intake store, which the bus's limits do not touch.)
#include <memory>
#include <string>
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
#include "tests/testing/health_probe.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;

constexpr char kIntakeHealth[] = "breach.v1.IntakeService";
// Below a big (but acceptable) report's envelope, above an ordinary one's.
constexpr char kSmallBusMessages[] = "message.max.bytes=4096";

class ParkingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    dir_ = scratch_->path();
  }

  void StartSuite(const std::vector<std::string>& kafka_properties = {}) {
    suite::SuiteConfig config;
    config.services = {"intake", "register"};
    config.listen = "127.0.0.1:0";
    config.transport = grpcutil::InsecureTransport();  // TLS: tls_handshake_test.cc
    config.dev_identity = true;
    config.data_dir = dir_;
    config.kafka_properties = kafka_properties;
    ASSERT_OK_AND_ASSIGN(suite_, suite::Suite::Start(config));
    channel_ = grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials());
    intake_ = breach::v1::IntakeService::NewStub(channel_);
    register_ = breach::v1::RegisterService::NewStub(channel_);
    admin_ = breach::v1::AdminService::NewStub(channel_);
  }

  void RestartSuite(const std::vector<std::string>& kafka_properties = {}) {
    suite_->Stop();
    suite_.reset();
    StartSuite(kafka_properties);
  }


  grpc::Status TryFile(const breach::v1::BreachReport& form, const std::string& request_id,
                       breach::v1::Report* report) {
    breach::v1::ReportBreachRequest request;
    request.set_request_id(request_id);
    *request.mutable_report() = form;
    return intake_->ReportBreach(CallAs(kVespucciDpoToken).get(), request, report);
  }

  std::string File(const breach::v1::BreachReport& form, const std::string& request_id) {
    breach::v1::Report report;
    const grpc::Status status = TryFile(form, request_id, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report.breach_id();
  }

  bool RegisterHas(const std::string& breach_id) {
    return WaitUntil([&] {
      breach::v1::GetBreachRequest request;
      request.set_breach_id(breach_id);
      breach::v1::RegisterEntry entry;
      return register_->GetBreach(CallAs(kOperatorToken).get(), request, &entry).ok();
    });
  }

  bool IntakeHealthBecomes(HealthStatus status) {
    return WaitUntil([&] { return CheckHealth(channel_, kIntakeHealth) == status; },
                     absl::Seconds(10));
  }

  breach::v1::ListParkedResponse ListParked() {
    breach::v1::ListParkedResponse response;
    const grpc::Status status = admin_->ListParked(CallAs(kOperatorToken).get(), {}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::unique_ptr<ScratchDir> scratch_;  // outlives everything that writes into it
  std::string dir_;
  std::unique_ptr<suite::Suite> suite_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<breach::v1::IntakeService::Stub> intake_;
  std::unique_ptr<breach::v1::RegisterService::Stub> register_;
  std::unique_ptr<breach::v1::AdminService::Stub> admin_;
};

TEST_F(ParkingTest, OversizedReportIsRefusedAtTheApiNamingTheFieldAndTheLimit) {
  StartSuite();
  breach::v1::BreachReport form = LostLaptopReport(kVespucci);
  form.set_description(std::string(100 * 1024, 'x'));
  breach::v1::Report report;
  grpc::Status status = TryFile(form, "r-large", &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "report.description is 102400 bytes; the limit is 16384");

  // The finding's 2 MB report: refused at the API, naming the field and its limit.
  form.set_description(std::string(2 * 1024 * 1024, 'x'));
  status = TryFile(form, "r-2mb", &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "report.description is 2097152 bytes; the limit is 16384");

  // A request larger than any valid one does not get past gRPC.
  form.set_description(std::string(5 * 1024 * 1024, 'x'));
  status = TryFile(form, "r-5mb", &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();

  // Nothing was filed: the next report is the first the register sees.
  const std::string filed = File(LostLaptopReport(kVespucci), "r-ok");
  ASSERT_TRUE(RegisterHas(filed));
  breach::v1::ListBreachesResponse list;
  ASSERT_TRUE(register_->ListBreaches(CallAs(kOperatorToken).get(), {}, &list).ok());
  EXPECT_EQ(list.entries_size(), 1);
  EXPECT_EQ(CheckHealth(channel_, kIntakeHealth), HealthStatus::kServing);
}

TEST_F(ParkingTest, RefusedEventIsParkedLaterReportsFlowAndRetryDeliversIt) {
  StartSuite({kSmallBusMessages});
  breach::v1::BreachReport big = LostLaptopReport(kVespucci);
  big.set_description(std::string(8 * 1024, 'x'));  // within the API's limit, over the bus's
  const std::string parked_breach = File(big, "r-big");
  const std::string later_breach = File(LostLaptopReport(kVespucci), "r-later");

  ASSERT_TRUE(RegisterHas(later_breach));
  ASSERT_TRUE(IntakeHealthBecomes(HealthStatus::kNotServing));
  breach::v1::ListParkedResponse parked = ListParked();
  ASSERT_EQ(parked.events_size(), 1);
  EXPECT_EQ(parked.events(0).service(), "intake");
  EXPECT_EQ(parked.events(0).breach_id(), parked_breach);
  EXPECT_EQ(parked.events(0).type(), "breach.v1.BreachReported");
  EXPECT_THAT(parked.events(0).reason(), HasSubstr("MSG_SIZE_TOO_LARGE"));
  EXPECT_EQ(parked.events(0).attempts(), 1u);

  // The bus never carried it, but the register is whole: it caught up from the intake store.
  ASSERT_TRUE(RegisterHas(parked_breach));

  // Schools cannot see or retry the provider's parked events.
  breach::v1::ListParkedResponse denied;
  EXPECT_EQ(admin_->ListParked(CallAs(kVespucciDpoToken).get(), {}, &denied).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A restart does not lose or un-park it, and health still says so.
  RestartSuite();
  ASSERT_TRUE(IntakeHealthBecomes(HealthStatus::kNotServing));
  ASSERT_EQ(ListParked().events_size(), 1);

  // The cause is gone (the bus takes large messages again): retry, and it is delivered.
  breach::v1::RetryParkedRequest retry;
  retry.set_all(true);
  breach::v1::RetryParkedResponse retried;
  ASSERT_TRUE(admin_->RetryParked(CallAs(kOperatorToken).get(), retry, &retried).ok());
  EXPECT_EQ(retried.retried(), 1u);
  ASSERT_TRUE(WaitUntil([&] { return ListParked().events_size() == 0; }));
  EXPECT_TRUE(IntakeHealthBecomes(HealthStatus::kServing));
}

TEST_F(ParkingTest, RetryOfAnEventTheBusStillRefusesParksItAgain) {
  StartSuite({kSmallBusMessages});
  breach::v1::BreachReport big = LostLaptopReport(kVespucci);
  big.set_description(std::string(8 * 1024, 'x'));
  File(big, "r-big");
  ASSERT_TRUE(WaitUntil([&] { return ListParked().events_size() == 1; }));

  breach::v1::RetryParkedRequest retry;
  retry.set_position(ListParked().events(0).position());
  breach::v1::RetryParkedResponse retried;
  ASSERT_TRUE(admin_->RetryParked(CallAs(kOperatorToken).get(), retry, &retried).ok());
  EXPECT_EQ(retried.retried(), 1u);
  ASSERT_TRUE(WaitUntil([&] {
    const breach::v1::ListParkedResponse parked = ListParked();
    return parked.events_size() == 1 && parked.events(0).attempts() == 2;
  }));

  retry.set_position(999);
  EXPECT_EQ(admin_->RetryParked(CallAs(kOperatorToken).get(), retry, &retried).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace breachd
