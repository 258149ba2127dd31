// A breach's lifecycle through real gRPC on the embedded bus: triage and the awareness moment,
// amendments, containment actions, and what the register and the timeline show of them.
#include <memory>

#include "absl/strings/str_cat.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "services/breachd/suite.h"
#include "tests/testing/fixtures.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using google::protobuf::util::TimeUtil;

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    suite::SuiteConfig config;
    config.services = {"intake", "register"};
    config.listen = "127.0.0.1:0";
    config.data_dir = scratch_->path();
    config.transport = grpcutil::InsecureTransport();  // TLS: tls_handshake_test.cc
    ASSERT_OK_AND_ASSIGN(suite_, suite::Suite::Start(config));
    auto channel = grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials());
    intake_ = breach::v1::IntakeService::NewStub(channel);
    register_ = breach::v1::RegisterService::NewStub(channel);
    breach::v1::ReportBreachRequest request;
    request.set_request_id("lifecycle-1");
    *request.mutable_report() = LostLaptopReport(kVespucci);
    ASSERT_TRUE(intake_->ReportBreach(CallAs(kVespucciStaffToken).get(), request, &report_).ok());
  }

  breach::v1::TriageRequest BreachVerdict(absl::Duration ago) {
    breach::v1::TriageRequest request;
    request.set_breach_id(report_.breach_id());
    request.set_verdict(breach::v1::TRIAGE_VERDICT_BREACH);
    request.set_reason("Il portatile non era cifrato");
    *request.mutable_aware_at() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(absl::Now() - ago));
    request.set_evidence("Denuncia alla Polfer");
    return request;
  }

  grpc::Status Triage(const std::string& token, const breach::v1::TriageRequest& request,
                      breach::v1::Report* response) {
    return intake_->Triage(CallAs(token).get(), request, response);
  }

  breach::v1::RegisterEntry EntryOnceIt(const std::function<bool(const breach::v1::RegisterEntry&)>& holds) {
    breach::v1::RegisterEntry entry;
    EXPECT_TRUE(WaitUntil([&] {
      breach::v1::GetBreachRequest request;
      request.set_breach_id(report_.breach_id());
      return register_->GetBreach(CallAs(kVespucciDpoToken).get(), request, &entry).ok() && holds(entry);
    }));
    return entry;
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::unique_ptr<suite::Suite> suite_;
  std::unique_ptr<breach::v1::IntakeService::Stub> intake_;
  std::unique_ptr<breach::v1::RegisterService::Stub> register_;
  breach::v1::Report report_;
};

TEST_F(LifecycleTest, TriageFixesAwarenessAndACorrectionKeepsBoth) {
  breach::v1::Report triaged;
  ASSERT_TRUE(Triage(kVespucciHeadToken, BreachVerdict(absl::Hours(2)), &triaged).ok());
  EXPECT_EQ(triaged.status(), breach::v1::BREACH_STATUS_TRIAGED);
  EXPECT_EQ(triaged.awareness().decided_by().subject(), "user:preside-vespucci");
  const google::protobuf::Timestamp first = triaged.awareness().aware_at();

  breach::v1::Report corrected;
  ASSERT_TRUE(Triage(kVespucciDpoToken, BreachVerdict(absl::Hours(1)), &corrected).ok());
  EXPECT_NE(corrected.awareness().aware_at().seconds(), first.seconds());
  EXPECT_EQ(corrected.revision(), 3u);

  // Both moments stay in the trail: the correction names the moment it corrects.
  breach::v1::GetTimelineRequest timeline_request;
  timeline_request.set_breach_id(report_.breach_id());
  breach::v1::Timeline timeline;
  ASSERT_TRUE(WaitUntil([&] {
    timeline.Clear();
    return register_->GetTimeline(CallAs(kVespucciDpoToken).get(), timeline_request, &timeline).ok() &&
           std::count_if(timeline.entries().begin(), timeline.entries().end(), [](const auto& line) {
             return line.type() == "breach.v1.BreachTriaged";
           }) == 2;
  }));
  bool correction_shown = false;
  for (const auto& line : timeline.entries()) {
    correction_shown |= line.summary().find("(corrects ") != std::string::npos;
  }
  EXPECT_TRUE(correction_shown);
  const breach::v1::RegisterEntry entry = EntryOnceIt([&](const auto& e) {
    return e.aware_at().seconds() == corrected.awareness().aware_at().seconds();
  });
  EXPECT_EQ(entry.status(), breach::v1::BREACH_STATUS_TRIAGED);
  EXPECT_EQ(entry.verdict(), breach::v1::TRIAGE_VERDICT_BREACH);
}

TEST_F(LifecycleTest, NotABreachStaysInTheRegisterWithItsReason) {
  breach::v1::TriageRequest request;
  request.set_breach_id(report_.breach_id());
  request.set_verdict(breach::v1::TRIAGE_VERDICT_NOT_A_BREACH);
  request.set_reason("Il portatile era cifrato con BitLocker");
  breach::v1::Report triaged;
  ASSERT_TRUE(Triage(kVespucciDpoToken, request, &triaged).ok());
  const breach::v1::RegisterEntry entry = EntryOnceIt([](const auto& e) {
    return e.verdict() == breach::v1::TRIAGE_VERDICT_NOT_A_BREACH;
  });
  EXPECT_EQ(entry.verdict_reason(), "Il portatile era cifrato con BitLocker");
  EXPECT_EQ(entry.status(), breach::v1::BREACH_STATUS_TRIAGED);
}

TEST_F(LifecycleTest, BadTriageNamesTheFieldAndWrongRoleOrSchoolIsRefused) {
  breach::v1::Report response;
  breach::v1::TriageRequest no_reason = BreachVerdict(absl::Hours(1));
  no_reason.clear_reason();
  grpc::Status status = Triage(kVespucciDpoToken, no_reason, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("reason"));

  breach::v1::TriageRequest no_moment = BreachVerdict(absl::Hours(1));
  no_moment.clear_aware_at();
  status = Triage(kVespucciDpoToken, no_moment, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("aware_at"));

  status = Triage(kVespucciItToken, BreachVerdict(absl::Hours(1)), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  status = Triage(kGalileiDpoToken, BreachVerdict(absl::Hours(1)), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  // Nothing was triaged.
  breach::v1::GetReportRequest get;
  get.set_breach_id(report_.breach_id());
  ASSERT_TRUE(intake_->GetReport(CallAs(kVespucciDpoToken).get(), get, &response).ok());
  EXPECT_EQ(response.status(), breach::v1::BREACH_STATUS_REPORTED);
  EXPECT_EQ(response.revision(), 1u);
}

TEST_F(LifecycleTest, StaleRevisionIsAborted) {
  breach::v1::TriageRequest request = BreachVerdict(absl::Hours(1));
  request.set_expected_revision(1);
  breach::v1::Report response;
  ASSERT_TRUE(Triage(kVespucciDpoToken, request, &response).ok());
  // A second decision made on revision 1 lost the race.
  const grpc::Status stale = Triage(kVespucciHeadToken, request, &response);
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_THAT(stale.error_message(), HasSubstr("revision is 2"));
}

TEST_F(LifecycleTest, AmendmentKeepsTheOriginalAndShowsWhatChanged) {
  breach::v1::AmendReportRequest request;
  request.set_breach_id(report_.breach_id());
  request.mutable_update_mask()->add_paths("approx_data_subjects");
  request.mutable_report()->set_approx_data_subjects(48);
  request.set_reason("Anche la 3C era sul portatile");
  breach::v1::Report amended;
  ASSERT_TRUE(intake_->AmendReport(CallAs(kVespucciDpoToken).get(), request, &amended).ok());
  EXPECT_EQ(amended.report().approx_data_subjects(), 24);  // as filed
  EXPECT_EQ(amended.current().approx_data_subjects(), 48);  // as read
  ASSERT_EQ(amended.amendments_size(), 1);
  EXPECT_EQ(amended.amendments(0).changes(0).field(), "approx_data_subjects");
  EXPECT_EQ(amended.amendments(0).changes(0).old_value(), R"({"approxDataSubjects":"24"})");
  EXPECT_EQ(amended.amendments(0).changes(0).new_value(), R"({"approxDataSubjects":"48"})");
  EntryOnceIt([](const auto& e) { return e.approx_data_subjects() == 48 && e.amendments() == 1; });

  // A bad new value names the field and changes nothing.
  request.mutable_report()->set_approx_data_subjects(0);
  const grpc::Status bad = intake_->AmendReport(CallAs(kVespucciDpoToken).get(), request, &amended);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("approx_data_subjects"));
  request.mutable_update_mask()->set_paths(0, "tenant");
  EXPECT_EQ(intake_->AmendReport(CallAs(kVespucciDpoToken).get(), request, &amended).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(LifecycleTest, ContainmentActionsAreRecordedOnceAndListed) {
  breach::v1::AddActionRequest request;
  request.set_breach_id(report_.breach_id());
  request.set_request_id("action-1");
  request.set_what("Password del registro elettronico cambiate");
  request.set_responsible("Animatore digitale");
  request.set_status(breach::v1::ACTION_STATUS_DONE);
  *request.mutable_done_at() =
      TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(absl::Now() - absl::Minutes(30)));
  breach::v1::ContainmentAction first;
  ASSERT_TRUE(intake_->AddAction(CallAs(kVespucciItToken).get(), request, &first).ok());
  breach::v1::ContainmentAction retried;
  ASSERT_TRUE(intake_->AddAction(CallAs(kVespucciItToken).get(), request, &retried).ok());
  EXPECT_EQ(retried.action_id(), first.action_id());

  request.set_what("Altro");
  EXPECT_EQ(intake_->AddAction(CallAs(kVespucciItToken).get(), request, &retried).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  request.set_request_id("action-2");
  request.clear_done_at();
  const grpc::Status no_time = intake_->AddAction(CallAs(kVespucciItToken).get(), request, &retried);
  EXPECT_EQ(no_time.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(no_time.error_message(), HasSubstr("done_at"));
  EXPECT_EQ(intake_->AddAction(CallAs(kVespucciStaffToken).get(), request, &retried).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  breach::v1::ListActionsRequest list;
  list.set_breach_id(report_.breach_id());
  breach::v1::ListActionsResponse actions;
  ASSERT_TRUE(intake_->ListActions(CallAs(kVespucciHeadToken).get(), list, &actions).ok());
  ASSERT_EQ(actions.actions_size(), 1);
  EXPECT_EQ(actions.actions(0).recorded_by().subject(), "user:it-vespucci");
  EntryOnceIt([](const auto& e) { return e.containment_actions() == 1; });
}

}  // namespace
}  // namespace breachd
