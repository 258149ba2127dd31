// All four services in one process over the embedded Kafka-protocol bus, driven through gRPC as
// a client would: intake to register, tenancy, bad input, idempotency, restart.
#include <memory>

#include "breach/v1/admin.grpc.pb.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "services/breachd/suite.h"
#include "tests/testing/fixtures.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;
using ::testing::SizeIs;

class SuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<ScratchDir>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    dir_ = scratch_->path();
    WriteTwoSchoolIdentity(dir_ + "/identity.json");
    StartSuite();
  }

  void StartSuite() {
    suite::SuiteConfig config;
    config.services = {"intake", "assessment", "notification", "register"};
    config.listen = "127.0.0.1:0";
    config.data_dir = dir_;
    config.kafka = "embedded";
    ASSERT_OK_AND_ASSIGN(suite_, suite::Suite::Start(config));
    auto channel = grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials());
    intake_ = breach::v1::IntakeService::NewStub(channel);
    register_ = breach::v1::RegisterService::NewStub(channel);
    admin_ = breach::v1::AdminService::NewStub(channel);
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  breach::v1::Report File(const std::string& token, const breach::v1::BreachReport& form,
                          const std::string& request_id) {
    breach::v1::ReportBreachRequest request;
    request.set_request_id(request_id);
    *request.mutable_report() = form;
    breach::v1::Report report;
    const grpc::Status status = intake_->ReportBreach(As(token).get(), request, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report;
  }

  breach::v1::ListBreachesResponse List(const std::string& token, const std::string& tenant = "") {
    breach::v1::ListBreachesRequest request;
    request.set_tenant(tenant);
    breach::v1::ListBreachesResponse response;
    const grpc::Status status = register_->ListBreaches(As(token).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  bool RegisterHolds(size_t count, const std::string& tenant = "") {
    return WaitUntil([&] { return List(kOperatorToken, tenant).entries_size() == int(count); });
  }

  std::unique_ptr<ScratchDir> scratch_;  // outlives everything that writes into it
  std::string dir_;
  std::unique_ptr<suite::Suite> suite_;
  std::unique_ptr<breach::v1::IntakeService::Stub> intake_;
  std::unique_ptr<breach::v1::RegisterService::Stub> register_;
  std::unique_ptr<breach::v1::AdminService::Stub> admin_;
};

TEST_F(SuiteTest, ReportReachesTheSchoolRegisterAndTimeline) {
  const breach::v1::Report report = File(kVespucciStaffToken, LostLaptopReport(kVespucci), "r-1");
  EXPECT_EQ(report.name(), "tenants/MIIS01200V/breaches/" + report.breach_id());
  EXPECT_EQ(report.reported_by().subject(), "user:segreteria");
  ASSERT_TRUE(RegisterHolds(1));

  breach::v1::ListBreachesResponse list = List(kVespucciDpoToken);
  ASSERT_THAT(list.entries(), SizeIs(1));
  EXPECT_EQ(list.entries(0).breach_id(), report.breach_id());
  EXPECT_EQ(list.entries(0).status(), breach::v1::BREACH_STATUS_REPORTED);

  breach::v1::GetTimelineRequest request;
  request.set_breach_id(report.breach_id());
  breach::v1::Timeline timeline;
  ASSERT_TRUE(register_->GetTimeline(As(kVespucciDpoToken).get(), request, &timeline).ok());
  ASSERT_GE(timeline.entries_size(), 2);
  EXPECT_EQ(timeline.entries(0).type(), "breach.v1.BreachReported");
  EXPECT_EQ(timeline.entries(0).actor().subject(), "user:segreteria");
  EXPECT_EQ(timeline.entries(0).actor().role(), "school-staff");
  EXPECT_TRUE(timeline.entries(0).has_occurred_at());
  EXPECT_TRUE(timeline.entries(0).has_recorded_at());
  // Reading the timeline is itself on the timeline.
  const auto& last = timeline.entries(timeline.entries_size() - 1);
  EXPECT_EQ(last.type(), "breach.v1.BreachViewed");
  EXPECT_EQ(last.actor().subject(), "user:dpo-vespucci");
}

TEST_F(SuiteTest, SchoolNeverSeesAnotherSchool) {
  const breach::v1::Report report = File(kVespucciDpoToken, LostLaptopReport(kVespucci), "r-1");
  File(kGalileiDpoToken, LostLaptopReport(kGalilei), "r-1");
  ASSERT_TRUE(RegisterHolds(2));

  EXPECT_THAT(List(kGalileiDpoToken).entries(), SizeIs(1));
  breach::v1::ListBreachesRequest other;
  other.set_tenant(kVespucci);
  breach::v1::ListBreachesResponse response;
  EXPECT_EQ(register_->ListBreaches(As(kGalileiDpoToken).get(), other, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  breach::v1::GetBreachRequest get;
  get.set_breach_id(report.breach_id());
  breach::v1::RegisterEntry entry;
  EXPECT_EQ(register_->GetBreach(As(kGalileiDpoToken).get(), get, &entry).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  breach::v1::GetReportRequest get_report;
  get_report.set_breach_id(report.breach_id());
  breach::v1::Report read;
  EXPECT_EQ(intake_->GetReport(As(kGalileiDpoToken).get(), get_report, &read).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  breach::v1::ReportBreachRequest forged;
  forged.set_request_id("forged");
  *forged.mutable_report() = LostLaptopReport(kVespucci);
  EXPECT_EQ(intake_->ReportBreach(As(kGalileiDpoToken).get(), forged, &read).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(List(kOperatorToken, kVespucci).entries(), SizeIs(1));
}

TEST_F(SuiteTest, RequestsWithoutAValidTokenAreUnauthenticated) {
  breach::v1::ListBreachesResponse response;
  EXPECT_EQ(register_->ListBreaches(As("forged").get(), {}, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(SuiteTest, BadReportNamesTheFieldAndStoresNothing) {
  breach::v1::BreachReport form = LostLaptopReport(kVespucci);
  *form.mutable_incident_at() = form.discovered_at();
  form.mutable_incident_at()->set_seconds(form.discovered_at().seconds() + 3600);
  breach::v1::ReportBreachRequest request;
  request.set_request_id("bad-1");
  *request.mutable_report() = form;
  breach::v1::Report report;
  const grpc::Status status = intake_->ReportBreach(As(kVespucciDpoToken).get(), request, &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("report.incident_at"));

  File(kVespucciDpoToken, LostLaptopReport(kVespucci), "good-1");
  ASSERT_TRUE(RegisterHolds(1));
  breach::v1::VerifyChainsResponse verified;
  ASSERT_TRUE(admin_->VerifyChains(As(kOperatorToken).get(), {}, &verified).ok());
  for (const auto& store : verified.stores()) {
    if (store.service() == "intake") {
      EXPECT_EQ(store.events_checked(), 1u);
    }
  }
}

TEST_F(SuiteTest, RetriedRequestFilesOneBreach) {
  const breach::v1::Report first = File(kVespucciDpoToken, LostLaptopReport(kVespucci), "same");
  const breach::v1::Report again = File(kVespucciDpoToken, LostLaptopReport(kVespucci), "same");
  EXPECT_EQ(first.breach_id(), again.breach_id());
  ASSERT_TRUE(RegisterHolds(1));
}

TEST_F(SuiteTest, RegisterPagesAndFilters) {
  for (int i = 0; i < 3; ++i) {
    File(kVespucciDpoToken, LostLaptopReport(kVespucci), "p-" + std::to_string(i));
  }
  ASSERT_TRUE(RegisterHolds(3));
  breach::v1::ListBreachesRequest request;
  request.set_page_size(2);
  breach::v1::ListBreachesResponse first, second;
  ASSERT_TRUE(register_->ListBreaches(As(kVespucciDpoToken).get(), request, &first).ok());
  EXPECT_THAT(first.entries(), SizeIs(2));
  ASSERT_FALSE(first.next_page_token().empty());
  request.set_page_token(first.next_page_token());
  ASSERT_TRUE(register_->ListBreaches(As(kVespucciDpoToken).get(), request, &second).ok());
  EXPECT_THAT(second.entries(), SizeIs(1));
  EXPECT_TRUE(second.next_page_token().empty());
  EXPECT_NE(second.entries(0).breach_id(), first.entries(0).breach_id());

  request.clear_page_token();
  request.set_page_size(0);
  request.set_year(first.entries(0).year() + 1);
  breach::v1::ListBreachesResponse next_year;
  ASSERT_TRUE(register_->ListBreaches(As(kVespucciDpoToken).get(), request, &next_year).ok());
  EXPECT_THAT(next_year.entries(), SizeIs(0));

  request.set_year(0);
  request.set_page_token("not-a-token");
  const grpc::Status bad = register_->ListBreaches(As(kVespucciDpoToken).get(), request, &first);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("page_token"));
}

TEST_F(SuiteTest, RefusalsAreRecordedOnTheAuditStream) {
  const breach::v1::Report report = File(kVespucciDpoToken, LostLaptopReport(kVespucci), "r-1");
  breach::v1::GetReportRequest get;
  get.set_breach_id(report.breach_id());
  breach::v1::Report read;
  ASSERT_EQ(intake_->GetReport(As(kGalileiDpoToken).get(), get, &read).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  breach::v1::VerifyChainsResponse verified;
  ASSERT_TRUE(admin_->VerifyChains(As(kOperatorToken).get(), {}, &verified).ok());
  for (const auto& store : verified.stores()) {
    if (store.service() == "intake") {
      EXPECT_EQ(store.streams_checked(), 2u);  // the breach and audit-RMIC81500L
    }
  }
}

TEST_F(SuiteTest, RestartedSuiteIsWholeAndAppliesNothingTwice) {
  const breach::v1::Report report = File(kVespucciDpoToken, LostLaptopReport(kVespucci), "r-1");
  ASSERT_TRUE(RegisterHolds(1));
  suite_->Stop();
  suite_.reset();
  StartSuite();  // a new embedded bus: every store re-publishes, consumers skip what they had
  File(kVespucciDpoToken, LostLaptopReport(kVespucci), "r-2");
  ASSERT_TRUE(RegisterHolds(2));

  breach::v1::GetBreachRequest get;
  get.set_breach_id(report.breach_id());
  breach::v1::RegisterEntry entry;
  ASSERT_TRUE(register_->GetBreach(As(kVespucciDpoToken).get(), get, &entry).ok());
  EXPECT_EQ(entry.events(), 1u);  // BreachReported applied once despite the re-publication

  breach::v1::VerifyChainsResponse verified;
  ASSERT_TRUE(admin_->VerifyChains(As(kOperatorToken).get(), {}, &verified).ok());
  EXPECT_TRUE(verified.ok());
}

}  // namespace
}  // namespace breachd
