// The assessment service through real gRPC on the embedded bus: it learns of a breach from the
// bus, evaluates an Allegato B with the regulatory engine from the breach's awareness moment,
// keeps versions and human overrides, and the register shows what it decided.
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "breach/v1/admin.grpc.pb.h"
#include "breach/v1/assessment_service.grpc.pb.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "services/breachd/suite.h"
#include "tests/testing/fixtures.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;
using google::protobuf::util::TimeUtil;

breach::v1::RiskAssessment ExampleAssessment() {
  std::ifstream in(std::string(BREACHD_SOURCE_DIR) + "/docs/examples/assess-lost-laptop.json");
  std::stringstream json;
  json << in.rdbuf();
  breach::v1::RiskAssessment assessment;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json.str(), &assessment).ok());
  return assessment;
}

class AssessmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    suite::SuiteConfig config;
    config.services = {"intake", "assessment", "register"};
    config.listen = "127.0.0.1:0";
    config.data_dir = scratch_->path();
    config.regimes_dir = std::string(BREACHD_SOURCE_DIR) + "/regimes";
    config.templates_dir = std::string(BREACHD_SOURCE_DIR) + "/templates";
    config.transport = grpcutil::InsecureTransport();  // TLS: tls_handshake_test.cc
    ASSERT_OK_AND_ASSIGN(suite_, suite::Suite::Start(config));
    auto channel = grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials());
    intake_ = breach::v1::IntakeService::NewStub(channel);
    assessment_ = breach::v1::AssessmentService::NewStub(channel);
    register_ = breach::v1::RegisterService::NewStub(channel);
    breach::v1::ReportBreachRequest request;
    request.set_request_id("assess-1");
    *request.mutable_report() = LostLaptopReport(kVespucci);
    ASSERT_TRUE(intake_->ReportBreach(CallAs(kVespucciStaffToken).get(), request, &report_).ok());
  }

  void TriageAsBreach() {
    breach::v1::TriageRequest request;
    request.set_breach_id(report_.breach_id());
    request.set_verdict(breach::v1::TRIAGE_VERDICT_BREACH);
    request.set_reason("Portatile non cifrato");
    *request.mutable_aware_at() =
        TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(absl::Now() - absl::Hours(2)));
    breach::v1::Report triaged;
    ASSERT_TRUE(intake_->Triage(CallAs(kVespucciHeadToken).get(), request, &triaged).ok());
  }

  breach::v1::SubmitAssessmentRequest Submission(const std::string& request_id) {
    breach::v1::SubmitAssessmentRequest request;
    request.set_breach_id(report_.breach_id());
    request.set_request_id(request_id);
    *request.mutable_assessment() = ExampleAssessment();
    return request;
  }

  // Submits once the assessment service has learnt of the breach from the bus (and, with
  // `await_triage`, of its triage); the last answer.
  grpc::Status SubmitWhenKnown(const breach::v1::SubmitAssessmentRequest& request,
                               breach::v1::AssessmentVersion* version,
                               bool await_triage = false) {
    grpc::Status status;
    WaitUntil([&] {
      status = assessment_->SubmitAssessment(CallAs(kVespucciDpoToken).get(), request, version);
      return status.error_code() != grpc::StatusCode::NOT_FOUND &&
             !(await_triage && status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    });
    return status;
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::unique_ptr<suite::Suite> suite_;
  std::unique_ptr<breach::v1::IntakeService::Stub> intake_;
  std::unique_ptr<breach::v1::AssessmentService::Stub> assessment_;
  std::unique_ptr<breach::v1::RegisterService::Stub> register_;
  breach::v1::Report report_;
};

TEST_F(AssessmentTest, WhoAmIShowsTheRegimesInUse) {
  auto admin = breach::v1::AdminService::NewStub(
      grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials()));
  breach::v1::WhoAmIResponse whoami;
  ASSERT_TRUE(admin->WhoAmI(CallAs(kOperatorToken).get(), {}, &whoami).ok());
  EXPECT_THAT(whoami.services(), ::testing::Contains("assessment"));
  EXPECT_THAT(whoami.regulation_data(), ::testing::Contains(::testing::StartsWith("gdpr-it@")));
}

TEST_F(AssessmentTest, UntriagedBreachCannotBeAssessed) {
  breach::v1::AssessmentVersion version;
  const grpc::Status status = SubmitWhenKnown(Submission("a-1"), &version);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("the breach is reported"));
}

TEST_F(AssessmentTest, SubmissionIsEvaluatedFromTheAwarenessMomentAndKeptAsVersions) {
  TriageAsBreach();
  breach::v1::AssessmentVersion first;
  // Until the triage arrives over the bus the breach is only reported.
  const grpc::Status status =
      SubmitWhenKnown(Submission("a-1"), &first, /*await_triage=*/true);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(first.version(), 1u);
  EXPECT_GT(first.result().severity().factors_size(), 0);
  EXPECT_GE(first.result().classification(), 1);
  EXPECT_GT(first.result().duties_size(), 0);
  EXPECT_FALSE(first.result().duties(0).regime().empty());
  EXPECT_GT(first.assessment().awareness_time().seconds(), 0);

  // A retry is the same version; a second submission is a new one, the first stays readable.
  breach::v1::AssessmentVersion retried;
  ASSERT_TRUE(assessment_->SubmitAssessment(CallAs(kVespucciDpoToken).get(), Submission("a-1"),
                                            &retried).ok());
  EXPECT_EQ(retried.version(), 1u);
  breach::v1::AssessmentVersion second;
  ASSERT_TRUE(assessment_->SubmitAssessment(CallAs(kVespucciDpoToken).get(), Submission("a-2"),
                                            &second).ok());
  EXPECT_EQ(second.version(), 2u);
  breach::v1::GetAssessmentRequest get;
  get.set_breach_id(report_.breach_id());
  get.set_version(1);
  breach::v1::AssessmentVersion read;
  ASSERT_TRUE(assessment_->GetAssessment(CallAs(kVespucciHeadToken).get(), get, &read).ok());
  EXPECT_EQ(read.request_id(), "a-1");
  breach::v1::ListAssessmentVersionsRequest history_request;
  history_request.set_breach_id(report_.breach_id());
  breach::v1::AssessmentHistory history;
  ASSERT_TRUE(assessment_->ListAssessmentVersions(CallAs(kVespucciDpoToken).get(), history_request,
                                                  &history).ok());
  EXPECT_EQ(history.versions_size(), 2);

  // A stale version is ABORTED; the IT manager may not assess.
  breach::v1::SubmitAssessmentRequest stale = Submission("a-3");
  stale.set_expected_version(1);
  EXPECT_EQ(assessment_->SubmitAssessment(CallAs(kVespucciDpoToken).get(), stale, &read).error_code(),
            grpc::StatusCode::ABORTED);
  EXPECT_EQ(assessment_->SubmitAssessment(CallAs(kVespucciItToken).get(), Submission("a-4"), &read)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The intake learns of the assessment over the bus: an assessed breach is not judged anew.
  breach::v1::TriageRequest rejudge;
  rejudge.set_breach_id(report_.breach_id());
  rejudge.set_verdict(breach::v1::TRIAGE_VERDICT_NOT_A_BREACH);
  rejudge.set_reason("Ripensamento");
  breach::v1::GetReportRequest get_report;
  get_report.set_breach_id(report_.breach_id());
  breach::v1::Report seen;
  ASSERT_TRUE(WaitUntil([&] {
    return intake_->GetReport(CallAs(kVespucciHeadToken).get(), get_report, &seen).ok() &&
           seen.status() == breach::v1::BREACH_STATUS_ASSESSED;
  }));
  const grpc::Status refused = intake_->Triage(CallAs(kVespucciHeadToken).get(), rejudge, &seen);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("the breach is assessed"));
}

TEST_F(AssessmentTest, OverrideKeepsBothDecisionsAndTheRegisterShowsThem) {
  TriageAsBreach();
  breach::v1::AssessmentVersion version;
  ASSERT_TRUE(SubmitWhenKnown(Submission("a-1"), &version, /*await_triage=*/true)
                  .ok());
  breach::v1::OverrideDutyRequest request;
  request.set_breach_id(report_.breach_id());
  request.set_duty(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  request.set_required(true);
  breach::v1::AssessmentVersion overridden;
  const grpc::Status no_reason =
      assessment_->OverrideDuty(CallAs(kVespucciDpoToken).get(), request, &overridden);
  EXPECT_EQ(no_reason.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(no_reason.error_message(), HasSubstr("reason"));

  request.set_reason("Le famiglie vanno informate comunque");
  ASSERT_TRUE(assessment_->OverrideDuty(CallAs(kVespucciHeadToken).get(), request, &overridden).ok());
  const breach::v1::DutyDecision* subjects = nullptr;
  for (const auto& duty : overridden.result().duties()) {
    if (duty.duty() == breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION) subjects = &duty;
  }
  ASSERT_NE(subjects, nullptr);
  EXPECT_TRUE(subjects->required());
  EXPECT_EQ(subjects->human_override().reason(), "Le famiglie vanno informate comunque");
  EXPECT_EQ(subjects->human_override().decided_by(), "user:preside-vespucci");

  breach::v1::GetBreachRequest get;
  get.set_breach_id(report_.breach_id());
  breach::v1::RegisterEntry entry;
  ASSERT_TRUE(WaitUntil([&] {
    if (!register_->GetBreach(CallAs(kVespucciDpoToken).get(), get, &entry).ok()) return false;
    for (const auto& duty : entry.duties()) {
      if (duty.has_human_override()) return true;
    }
    return false;
  }));
  EXPECT_EQ(entry.status(), breach::v1::BREACH_STATUS_ASSESSED);
  EXPECT_EQ(entry.classification(), version.result().classification());
  EXPECT_EQ(entry.assessment_version(), 1u);
}

TEST_F(AssessmentTest, DecidedBreachClosesRefusesChangesAndReopens) {
  TriageAsBreach();
  breach::v1::AssessmentVersion version;
  ASSERT_TRUE(SubmitWhenKnown(Submission("a-1"), &version, /*await_triage=*/true).ok());
  breach::v1::CloseBreachRequest close;
  close.set_breach_id(report_.breach_id());
  close.set_reason("Notifiche inviate");
  breach::v1::Report report;
  // Not decided yet: closing is refused, naming the status the intake knows.
  const grpc::Status early = intake_->CloseBreach(CallAs(kVespucciHeadToken).get(), close, &report);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  breach::v1::DecideDutiesRequest decide;
  decide.set_breach_id(report_.breach_id());
  EXPECT_EQ(assessment_->DecideDuties(CallAs(kVespucciDpoToken).get(), decide, &version)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  decide.set_reason("Valutazione condivisa");
  ASSERT_TRUE(assessment_->DecideDuties(CallAs(kVespucciDpoToken).get(), decide, &version).ok());

  // Once the intake knows it is decided, it closes; then nothing but reopening.
  ASSERT_TRUE(WaitUntil([&] {
    return intake_->CloseBreach(CallAs(kVespucciHeadToken).get(), close, &report).ok();
  }));
  EXPECT_EQ(report.status(), breach::v1::BREACH_STATUS_CLOSED);
  breach::v1::AddActionRequest action;
  action.set_breach_id(report_.breach_id());
  action.set_request_id("late-action");
  action.set_what("Altro");
  action.set_responsible("IT");
  breach::v1::ContainmentAction ignored;
  const grpc::Status refused = intake_->AddAction(CallAs(kVespucciItToken).get(), action, &ignored);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("the breach is closed"));

  breach::v1::ReopenBreachRequest reopen;
  reopen.set_breach_id(report_.breach_id());
  reopen.set_reason("Nuovi fatti");
  ASSERT_TRUE(intake_->ReopenBreach(CallAs(kVespucciHeadToken).get(), reopen, &report).ok());
  EXPECT_EQ(report.status(), breach::v1::BREACH_STATUS_ASSESSED);

  breach::v1::GetBreachRequest get;
  get.set_breach_id(report_.breach_id());
  breach::v1::RegisterEntry entry;
  EXPECT_TRUE(WaitUntil([&] {
    breach::v1::Timeline timeline;
    breach::v1::GetTimelineRequest timeline_request;
    timeline_request.set_breach_id(report_.breach_id());
    if (!register_->GetTimeline(CallAs(kVespucciDpoToken).get(), timeline_request, &timeline).ok()) {
      return false;
    }
    for (const auto& line : timeline.entries()) {
      if (line.type() == "breach.v1.BreachReopened") return true;
    }
    return false;
  }));
  ASSERT_TRUE(register_->GetBreach(CallAs(kVespucciDpoToken).get(), get, &entry).ok());
  EXPECT_EQ(entry.status(), breach::v1::BREACH_STATUS_ASSESSED);
}

TEST(AssessmentStartTest, BadRegimeFileStopsTheStartNamingFileAndField) {
  ScratchDir scratch("BadRegimeFileStopsTheStartNamingFileAndField");
  WriteTwoSchoolIdentity(scratch.path() + "/identity.json");
  // A copy of the regimes with one field broken.
  const std::string regimes = scratch.path() + "/regimes";
  std::filesystem::copy(std::string(BREACHD_SOURCE_DIR) + "/regimes", regimes,
                        std::filesystem::copy_options::recursive);
  std::string broken_file;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(regimes + "/gdpr-it")) {
    if (entry.path().extension() == ".json") broken_file = entry.path().string();
  }
  ASSERT_FALSE(broken_file.empty());
  std::stringstream json;
  json << std::ifstream(broken_file).rdbuf();
  std::string text = json.str();
  const size_t field = text.find("\"version\"");
  ASSERT_NE(field, std::string::npos);
  text.insert(field, "\"no_such_field\": 1, ");
  std::ofstream(broken_file, std::ios::trunc) << text;

  suite::SuiteConfig config;
  config.services = {"intake", "assessment", "register"};
  config.listen = "127.0.0.1:0";
  config.data_dir = scratch.path() + "/data";
  config.identity_file = scratch.path() + "/identity.json";
  config.regimes_dir = regimes;
  config.templates_dir = std::string(BREACHD_SOURCE_DIR) + "/templates";
  config.transport = grpcutil::InsecureTransport();
  const auto started = suite::Suite::Start(config);
  ASSERT_FALSE(started.ok());
  EXPECT_THAT(std::string(started.status().message()),
              ::testing::AllOf(HasSubstr(std::filesystem::path(broken_file).filename().string()),
                               HasSubstr("no_such_field")));
}

}  // namespace
}  // namespace breachd
