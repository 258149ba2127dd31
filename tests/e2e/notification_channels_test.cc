// The processor's notice to a school over both of the school's channels, for real: a PEC message
// through the SMTP server and a signed HTTPS webhook to the school's portal, which fails twice
// with 500 before it accepts (retried with back-off), and the school's acknowledgement as a
// receipt. Then the Garante's notification with its protocol number, and the refusals that must
// change nothing. And a read of a draft, recorded, in the register's who-knew-what.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "breach/v1/register.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/proto_time.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/notification_fixture.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kWebhookSecret[] = "portal-hmac-secret-0123456789";

class NotificationChannelsTest : public NotificationFixture {
 protected:
  void SetUp() override {
    LocalWebhookServerOptions hook_options;
    hook_options.responses = {500, 500};
    hook_options.secret = kWebhookSecret;
    auto hook = LocalWebhookServer::Start(hook_options);
    ASSERT_TRUE(hook.ok()) << hook.status();
    hook_ = *std::move(hook);
    LocalSmtpServerOptions smtp;
    smtp.user = "breachd";
    smtp.password = "s3cret-pass";
    smtp.refuse = {"^rifiutato\\.genitore@:550"};  // a parent's mailbox that does not exist
    secret_dir_ = std::make_unique<ScratchDir>("webhook-secret");
    WriteFile(secret_dir_->path() + "/secret", kWebhookSecret);
    StartAll(smtp, {"--webhook_secret_file=" + secret_dir_->path() + "/secret",
                    "--webhook_ca_file=" + hook_->ca_file(), "--dispatch_backoff_seconds=1",
                    "--authority_address=protocollo@garante.test"});
    ASSERT_FALSE(HasFailure());
    breach::v1::SetSchoolProfileRequest profile;
    auto* school = profile.mutable_profile();
    school->set_tenant(kVespucci);
    school->set_name("IIS Amerigo Vespucci");
    school->set_address("Via Valvassori Peroni 8, 20133 Milano");
    school->set_head_name("Prof.ssa Laura Bianchi");
    school->mutable_dpo()->set_name("Avv. Marco Neri");
    school->mutable_dpo()->set_email("dpo@vespucci.example.org");
    school->set_pec("miis01200v@pec.istruzione.test");
    school->set_webhook_url(hook_->url());
    breach::v1::SchoolProfile stored;
    grpc::Status set =
        notification_->SetSchoolProfile(CallAs(kOperatorToken).get(), profile, &stored);
    ASSERT_TRUE(set.ok()) << set.error_message();
  }

  grpc::Status Receipt(const std::string& id, breach::v1::DutyKind duty,
                       breach::v1::ReceiptKind kind, const std::string& protocol) {
    breach::v1::RecordReceiptRequest request;
    request.set_breach_id(id);
    request.set_duty(duty);
    request.set_kind(kind);
    request.set_protocol_number(protocol);
    *request.mutable_received_at() = ProtoFromTime(absl::Now());
    breach::v1::Receipt receipt;
    return notification_->RecordReceipt(CallAs(kVespucciHeadToken).get(), request, &receipt);
  }

  std::unique_ptr<LocalWebhookServer> hook_;
  std::unique_ptr<ScratchDir> secret_dir_;
};

TEST_F(NotificationChannelsTest, ProcessorNoticeOverPecAndARetriedSignedWebhook) {
  const std::string id = TriagedBreach();
  // The processor's notice is the provider's to approve.
  const breach::v1::Draft draft =
      ApprovedDraft(id, breach::v1::DUTY_KIND_CONTROLLER_NOTICE, kOperatorToken);
  ASSERT_FALSE(HasFailure());
  breach::v1::NotificationStatus queued;
  ASSERT_TRUE(Send(id, breach::v1::DUTY_KIND_CONTROLLER_NOTICE, "", "notice-1", &queued).ok());
  ASSERT_EQ(queued.deliveries_size(), 2);  // PEC and webhook
  ASSERT_TRUE(WaitUntil([&] { return Settled(id); }, absl::Seconds(30)));

  const breach::v1::NotificationStatus status = Status(id);
  for (const auto& delivery : status.deliveries()) {
    EXPECT_EQ(delivery.status(), breach::v1::DELIVERY_STATUS_SENT) << delivery.ShortDebugString();
    if (delivery.channel() == breach::v1::CHANNEL_WEBHOOK) {
      EXPECT_EQ(delivery.attempts(), 3u);
    }
  }
  // The webhook: two 500s then accepted, every attempt signed and with the same key.
  const std::vector<WebhookRecord> posts = hook_->Requests();
  ASSERT_EQ(posts.size(), 3u);
  for (const WebhookRecord& post : posts) {
    EXPECT_EQ(post.signature_ok, std::optional<bool>(true));
    EXPECT_EQ(post.headers.at("idempotency-key"), posts[0].headers.at("idempotency-key"));
  }
  const nlohmann::json body = nlohmann::json::parse(posts.back().body);
  EXPECT_EQ(body["breach_id"], id);
  EXPECT_EQ(body["duty"], "controller");
  EXPECT_EQ(body["sha256"], draft.sha256());
  // The PEC message, in Italian, to the school's certified mailbox.
  const std::vector<ReceivedMail> mails = smtp_->Messages();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_THAT(mails[0].rcpt_tos, ::testing::ElementsAre("miis01200v@pec.istruzione.test"));
  EXPECT_TRUE(mails[0].authenticated);

  // The school acknowledges; sending the same notice again reaches nobody twice.
  EXPECT_TRUE(Receipt(id, breach::v1::DUTY_KIND_CONTROLLER_NOTICE,
                      breach::v1::RECEIPT_KIND_CONTROLLER_ACKNOWLEDGED, "")
                  .ok());
  breach::v1::NotificationStatus again;
  ASSERT_TRUE(Send(id, breach::v1::DUTY_KIND_CONTROLLER_NOTICE, "", "notice-2", &again).ok());
  EXPECT_EQ(again.deliveries_size(), 2);
  EXPECT_EQ(Status(id).receipts_size(), 1);
}

// A parent's mail server refuses the letter and its answer quotes the address: the delivery
// and the clock keep the answer (sealed), the process's log says only the status and the code.
TEST_F(NotificationChannelsTest, ARefusedRecipientsAddressNeverReachesTheLog) {
  const std::string id = DecidedBreach();
  ApprovedDraft(id, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  ASSERT_FALSE(HasFailure());
  breach::v1::NotificationStatus queued;
  const grpc::Status sent = Send(id, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION,
                                 "name,email,language\nGiulia Rossi,giulia.rossi@example.org,it\n"
                                 "Piero Gialli,rifiutato.genitore@example.org,it\n",
                                 "parents-1", &queued);
  ASSERT_TRUE(sent.ok()) << sent.error_message();
  ASSERT_TRUE(WaitUntil([&] { return Settled(id); }, absl::Seconds(30)));
  int failed = 0;
  const breach::v1::NotificationStatus status = Status(id);
  for (const auto& delivery : status.deliveries()) {
    if (delivery.status() != breach::v1::DELIVERY_STATUS_FAILED) continue;
    ++failed;
    EXPECT_THAT(delivery.last_answer(), HasSubstr("550"));
    EXPECT_THAT(delivery.last_answer(), HasSubstr("rifiutato.genitore@example.org"));
  }
  EXPECT_EQ(failed, 1);
  const std::string log = breachd_->Stderr();
  EXPECT_THAT(log, HasSubstr("\"msg\":\"notification: a delivery failed\""));
  EXPECT_THAT(log, HasSubstr("\"failure\":\"FAILED_PRECONDITION 550\""));
  EXPECT_THAT(log, Not(HasSubstr("rifiutato"))) << log;
  EXPECT_THAT(log, Not(HasSubstr("giulia.rossi"))) << log;
}

TEST_F(NotificationChannelsTest, TheGaranteNotificationWithItsProtocolNumber) {
  const std::string id = DecidedBreach();
  // Nothing was sent yet: a receipt is refused, and so is sending an unapproved draft.
  EXPECT_EQ(Receipt(id, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION,
                    breach::v1::RECEIPT_KIND_AUTHORITY_PROTOCOL, "123/2026")
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  breach::v1::PrepareDraftRequest prepare;
  prepare.set_breach_id(id);
  prepare.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  breach::v1::Draft unapproved;
  ASSERT_TRUE(WaitUntil([&] {
    return notification_->PrepareDraft(CallAs(kVespucciDpoToken).get(), prepare, &unapproved).ok();
  }));
  breach::v1::NotificationStatus status;
  grpc::Status refused =
      Send(id, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION, "", "garante-0", &status);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("not approved"));
  // The operator may not approve what the school tells the Garante.
  breach::v1::ApproveDraftRequest approve;
  approve.set_breach_id(id);
  approve.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  approve.set_draft_version(unapproved.draft_version());
  approve.set_sha256(unapproved.sha256());
  breach::v1::Draft ignored;
  EXPECT_EQ(notification_->ApproveDraft(CallAs(kOperatorToken).get(), approve, &ignored).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  ApprovedDraft(id, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  ASSERT_TRUE(Send(id, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION, "", "garante-1", &status).ok());
  ASSERT_TRUE(WaitUntil([&] { return Settled(id); }));
  const std::vector<ReceivedMail> mails = smtp_->Messages();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_THAT(mails[0].rcpt_tos, ::testing::ElementsAre("protocollo@garante.test"));
  EXPECT_THAT(mails[0].subject, HasSubstr("NOTIFICA VIOLAZIONE DATI PERSONALI"));
  EXPECT_TRUE(Receipt(id, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION,
                      breach::v1::RECEIPT_KIND_AUTHORITY_PROTOCOL, "0012345/2026")
                  .ok());
  const breach::v1::NotificationStatus final_status = Status(id);
  ASSERT_EQ(final_status.receipts_size(), 1);
  EXPECT_EQ(final_status.receipts(0).protocol_number(), "0012345/2026");
  for (const auto& clock : final_status.clocks()) {
    if (clock.deadline().duty() == breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION) {
      EXPECT_EQ(clock.deadline().status(), breach::v1::DEADLINE_STATUS_MET);
      EXPECT_FALSE(clock.armed());
    }
  }
}

// GetDraft records who read which draft version (a BreachViewed "draft" event in the
// notification store, durable before the answer); through the bus the register's knowledge
// shows the reader's first sight of that version as a draft read.
TEST_F(NotificationChannelsTest, WhoReadWhichDraftVersionIsInTheKnowledge) {
  const std::string id = DecidedBreach();
  breach::v1::PrepareDraftRequest prepare;
  prepare.set_breach_id(id);
  prepare.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  breach::v1::Draft prepared;
  ASSERT_TRUE(WaitUntil([&] {
    return notification_->PrepareDraft(CallAs(kVespucciDpoToken).get(), prepare, &prepared).ok();
  }));
  breach::v1::GetDraftRequest get;
  get.set_breach_id(id);
  get.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);  // version 0: the latest
  breach::v1::Draft read;
  const absl::Time before = absl::Now();
  grpc::Status got = notification_->GetDraft(CallAs(kVespucciHeadToken).get(), get, &read);
  ASSERT_TRUE(got.ok()) << got.error_message();
  const absl::Time after = absl::Now();
  const std::string fact = absl::StrCat("draft authority_notification v", read.draft_version());

  auto register_ = breach::v1::RegisterService::NewStub(
      grpc::CreateChannel(breachd_->endpoint(), grpc::InsecureChannelCredentials()));
  breach::v1::GetKnowledgeRequest request;
  request.set_breach_id(id);
  breach::v1::FirstSeen seen;
  std::string reader;
  ASSERT_TRUE(WaitUntil([&] {
    breach::v1::Knowledge knowledge;
    if (!register_->GetKnowledge(CallAs(kVespucciDpoToken).get(), request, &knowledge).ok()) {
      return false;
    }
    for (const auto& principal : knowledge.principals()) {
      for (const auto& first : principal.seen()) {
        if (first.fact() == fact && first.how() == "draft") {
          seen = first;
          reader = principal.principal().subject();
        }
      }
    }
    return !reader.empty();
  }));
  // The head, who has not approved it: only the read explains it.
  EXPECT_EQ(reader, "user:preside-vespucci");
  const absl::Time at = TimeFromProto(seen.at());
  EXPECT_GE(at, before - absl::Seconds(1));
  EXPECT_LE(at, after + absl::Seconds(1));
}

}  // namespace
}  // namespace breachd
