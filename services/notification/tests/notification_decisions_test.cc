#include "services/notification/notification_decisions.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/proto_time.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/regulation/template_loader.h"
#include "libs/regulation/tests/test_inputs.h"
#include "breach/v1/events.pb.h"

namespace breachd::notification {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1774602000);

breach::v1::Draft ApprovedDraft() {
  breach::v1::Draft draft;
  draft.set_breach_id("01JBREACH");
  draft.set_tenant("MIIS01200V");
  draft.set_duty(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  draft.set_draft_version(2);
  draft.set_sha256("abc");
  return draft;
}

breach::v1::Recipient Person(const std::string& name, const std::string& address) {
  breach::v1::Recipient recipient;
  recipient.set_name(name);
  recipient.set_address(address);
  recipient.set_language("it");
  return recipient;
}

TEST(PlanDeliveriesTest, OneDeliveryPerRecipientWithAStableKeyAndNeverTwice) {
  const breach::v1::Draft draft = ApprovedDraft();
  DeliveryPlan first = PlanDeliveries(draft, breach::v1::CHANNEL_EMAIL,
                                      {Person("Anna", "anna@example.org"),
                                       Person("Luca", "luca@example.org"),
                                       Person("Anna again", "ANNA@example.org")},
                                      {}, false, kNow);
  ASSERT_EQ(first.queued.size(), 2u);  // the same address twice is one delivery
  EXPECT_EQ(first.queued[0].delivery_id(), "subjects-v2-00001");
  EXPECT_EQ(first.queued[0].idempotency_key(),
            IdempotencyKey("01JBREACH", draft.duty(), 2, "anna@example.org"));
  EXPECT_EQ(first.queued[0].status(), breach::v1::DELIVERY_STATUS_QUEUED);

  // Sending the same version again reaches nobody twice; an unknown outcome is resent only
  // when asked, as the same delivery marked as a resend.
  std::vector<breach::v1::Delivery> existing = first.queued;
  existing[1].set_status(breach::v1::DELIVERY_STATUS_OUTCOME_UNKNOWN);
  DeliveryPlan again = PlanDeliveries(draft, breach::v1::CHANNEL_EMAIL,
                                      {Person("Anna", "anna@example.org"),
                                       Person("Luca", "luca@example.org")},
                                      existing, false, kNow);
  EXPECT_TRUE(again.queued.empty());
  EXPECT_EQ(again.skipped.size(), 2u);
  DeliveryPlan resend = PlanDeliveries(draft, breach::v1::CHANNEL_EMAIL,
                                       {Person("Luca", "luca@example.org")}, existing, true, kNow);
  ASSERT_EQ(resend.queued.size(), 1u);
  EXPECT_EQ(resend.queued[0].delivery_id(), existing[1].delivery_id());
  EXPECT_TRUE(resend.queued[0].resend_after_unknown());

  // A new version is a new message to everyone.
  breach::v1::Draft next = draft;
  next.set_draft_version(3);
  EXPECT_EQ(PlanDeliveries(next, breach::v1::CHANNEL_EMAIL, {Person("Anna", "anna@example.org")},
                           existing, false, kNow)
                .queued.size(),
            1u);
}

TEST(CheckApprovalTest, TheHashMustBeTheOneReadAndLateNeedsAReason) {
  breach::v1::Draft draft = ApprovedDraft();
  draft.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  breach::v1::ApproveDraftRequest request;
  request.set_draft_version(2);
  request.set_sha256("abd");
  EXPECT_THAT(CheckApproval(draft, request, std::nullopt, kNow),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("approve what you read")));
  request.clear_sha256();
  EXPECT_THAT(CheckApproval(draft, request, std::nullopt, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sha256")));
  request.set_sha256("abc");
  EXPECT_THAT(CheckApproval(draft, request, std::nullopt, kNow), IsOk());

  breach::v1::DutyClock clock;
  clock.mutable_deadline()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  *clock.mutable_deadline()->mutable_due_at() = ProtoFromTime(kNow - absl::Hours(1));
  EXPECT_THAT(CheckApproval(draft, request, clock, kNow),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("art. 33(1)")));
  request.set_delay_reason("the laptop's owner reported it only after the weekend");
  EXPECT_THAT(CheckApproval(draft, request, clock, kNow), IsOk());
}

TEST(CheckReceiptTest, NamesTheFieldAndNeedsSomethingSent) {
  breach::v1::RecordReceiptRequest request;
  request.set_breach_id("01JBREACH");
  request.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  request.set_kind(breach::v1::RECEIPT_KIND_AUTHORITY_PROTOCOL);
  *request.mutable_received_at() = ProtoFromTime(kNow);
  EXPECT_THAT(CheckReceipt(request, {}, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("protocol_number")));
  request.set_protocol_number("12345/2026");
  EXPECT_THAT(CheckReceipt(request, {}, kNow),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("was sent")));
  breach::v1::Delivery sent;
  sent.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  sent.set_status(breach::v1::DELIVERY_STATUS_SENT);
  EXPECT_THAT(CheckReceipt(request, {sent}, kNow), IsOk());
  *request.mutable_received_at() = ProtoFromTime(kNow + absl::Hours(24 * 365 * 300));
  EXPECT_THAT(CheckReceipt(request, {sent}, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("received_at")));
  request.set_duty(breach::v1::DUTY_KIND_REGISTER_ENTRY);
  EXPECT_THAT(CheckReceipt(request, {sent}, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duty")));
}

TEST(CheckReceiptTest, ASchoolAcknowledgesAnIncidentsNoticeWithNothingSent) {
  breach::v1::RecordReceiptRequest request;
  request.set_breach_id("01JBREACH");
  request.set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  request.set_kind(breach::v1::RECEIPT_KIND_CONTROLLER_ACKNOWLEDGED);
  *request.mutable_received_at() = ProtoFromTime(kNow);
  EXPECT_THAT(CheckReceipt(request, {}, kNow),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("was sent")));
  EXPECT_THAT(CheckReceipt(request, {}, kNow, /*incident_case=*/true), IsOk());
}

TEST(ValidateSchoolProfileTest, NamesTheBadField) {
  breach::v1::SchoolProfile profile;
  profile.set_tenant("MIIS01200V");
  profile.set_name("IIS Amerigo Vespucci");
  profile.set_pec("miis01200v@pec.istruzione.it");
  EXPECT_THAT(ValidateSchoolProfile(profile), IsOk());
  profile.set_pec("not an address");
  EXPECT_THAT(ValidateSchoolProfile(profile),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("profile.pec")));
  profile.set_pec("");
  profile.set_webhook_url("http://portal.example.org/hook");
  EXPECT_THAT(ValidateSchoolProfile(profile),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("profile.webhook_url")));
  profile.set_webhook_url("");
  profile.set_name("");
  EXPECT_THAT(ValidateSchoolProfile(profile),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("profile.name")));
}

}  // namespace
}  // namespace breachd::notification

namespace breachd::notification {
namespace {

TEST(ProfileFromDirectoryTest, TakesTheDirectorysContactsAndKeepsTheRest) {
  breach::v1::DirectorySchool school;
  school.set_code("MIIS01200V");
  school.set_name("IIS Vespucci");
  school.set_address("Via Roma 1");
  school.set_postcode("20100");
  school.set_municipality("Milano");
  school.set_email("miis01200v@istruzione.it");
  school.set_pec("miis01200v@pec.istruzione.it");
  school.set_dpo_name("Anna Verdi");
  school.set_dpo_email("dpo@example.it");
  breach::v1::SchoolProfile current;
  current.set_tenant("MIIS01200V");
  current.set_name("old name");
  current.set_head_name("Maria Rossi");
  current.set_webhook_url("https://portal.example.it/hook");
  current.mutable_dpo()->set_phone("+39 02 1234");

  const breach::v1::SchoolProfile profile = ProfileFromDirectory(school, current);
  EXPECT_EQ(profile.name(), "IIS Vespucci");
  EXPECT_EQ(profile.address(), "Via Roma 1, 20100 Milano");
  EXPECT_EQ(profile.pec(), "miis01200v@pec.istruzione.it");
  EXPECT_EQ(profile.dpo().email(), "dpo@example.it");
  EXPECT_EQ(profile.head_name(), "Maria Rossi");
  EXPECT_EQ(profile.webhook_url(), "https://portal.example.it/hook");
  EXPECT_EQ(profile.dpo().phone(), "+39 02 1234");
  EXPECT_EQ(ProfileFromDirectory(school, std::nullopt).tenant(), "MIIS01200V");
}

}  // namespace
}  // namespace breachd::notification

namespace breachd::notification {
namespace {

// The processor's notice drafted for an incident's case as it opens: before any triage or
// assessment, from the report and the school's profile, numbered after an earlier draft.
TEST(ComposeDraftTest, AnIncidentsCaseGetsItsControllerNoticeBeforeAnyTriage) {
  auto set = regulation::LoadNotificationTemplateDirectory(regulation::testing::RepoPath("templates"));
  ASSERT_THAT(set, IsOk());
  auto templates = regulation::NotificationTemplates::Compile(*set);
  ASSERT_THAT(templates, IsOk());
  breach::v1::NotificationCase c;
  c.set_breach_id("01JCASE");
  c.set_tenant("MIIS01200V");
  c.set_incident_id("01JINCIDENT");
  breach::v1::BreachReport& report = *c.mutable_report()->mutable_current();
  report.set_tenant("MIIS01200V");
  report.set_description("Voti visibili ad altre scuole");
  report.add_databases("Registro elettronico");
  breach::v1::SchoolProfile school;
  school.set_tenant("MIIS01200V");
  school.set_name("IIS Amerigo Vespucci");
  DraftOrder order;
  order.duty = breach::v1::DUTY_KIND_CONTROLLER_NOTICE;
  order.prepared_by.set_subject("service:notification");
  order.now = kNow;
  absl::StatusOr<breach::v1::Draft> draft =
      ComposeDraft(c, school, std::nullopt, order, *templates, regulation::testing::Rome());
  ASSERT_THAT(draft, IsOk());
  EXPECT_EQ(draft->draft_version(), 1u);
  EXPECT_EQ(draft->duty(), breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  ASSERT_EQ(draft->documents_size(), 2);  // Italian and English
  EXPECT_THAT(draft->documents(0).document(), HasSubstr("IIS Amerigo Vespucci"));
  EXPECT_EQ(draft->sha256().size(), 64u);
  EXPECT_EQ(draft->prepared_by().subject(), "service:notification");
  const auto second =
      ComposeDraft(c, school, *draft, order, *templates, regulation::testing::Rome());
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->draft_version(), 2u);

  breach::v1::EventEnvelope event;
  breach::v1::BreachReported reported;
  event.mutable_payload()->PackFrom(reported);
  EXPECT_FALSE(OpensIncidentCase(event));  // a school's own report
  reported.set_incident_id("01JINCIDENT");
  event.mutable_payload()->PackFrom(reported);
  EXPECT_TRUE(OpensIncidentCase(event));
  EXPECT_FALSE(AmendsIncidentCase(event));

  // An update of the incident reaches the case as an amendment: the notice is drafted again.
  breach::v1::ReportAmended amended;
  event.mutable_payload()->PackFrom(amended);
  EXPECT_FALSE(AmendsIncidentCase(event));  // the school's own amendment
  amended.mutable_amendment()->set_incident_id("01JINCIDENT");
  amended.mutable_amendment()->set_incident_update(1);
  event.mutable_payload()->PackFrom(amended);
  EXPECT_TRUE(AmendsIncidentCase(event));
  EXPECT_FALSE(OpensIncidentCase(event));
  report.set_approx_data_subjects(900);
  const auto redrafted =
      ComposeDraft(c, school, *second, order, *templates, regulation::testing::Rome());
  ASSERT_THAT(redrafted, IsOk());
  EXPECT_EQ(redrafted->draft_version(), 3u);
  EXPECT_THAT(redrafted->documents(0).document(), HasSubstr("900"));
  EXPECT_NE(redrafted->sha256(), second->sha256());
}

}  // namespace
}  // namespace breachd::notification
