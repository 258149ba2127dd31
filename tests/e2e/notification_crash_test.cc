// Dispatch survives being killed: breachd (every service, embedded bus) sends a letter to each
// data subject through a real SMTP server (aiosmtpd, STARTTLS + AUTH) that stores each message
// and then holds its "250" back; breachd is SIGKILLed while the server holds the answer, many
// times, and restarted. Every recipient ends up with the message exactly once, or with no
// message or one and the delivery marked "outcome unknown": never twice, never silently lost.
#include <signal.h>
#include <sys/stat.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "breach/v1/notification.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"
#include "tests/testing/local_servers.h"
#include "tests/testing/process.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures

const std::string kBin = BREACHD_BIN_DIR;
const std::string kSource = BREACHD_SOURCE_DIR;
constexpr int kRecipients = 30;
constexpr int kKills = 4;

class NotificationCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    dir_ = scratch_->path();
    LocalSmtpServerOptions options;
    options.user = "breachd";
    options.password = "s3cret-pass";
    options.hold_reply_seconds = 0.5;
    auto smtp = LocalSmtpServer::Start(options);
    ASSERT_TRUE(smtp.ok()) << smtp.status();
    smtp_ = *std::move(smtp);
    WriteFileOrDie(dir_ + "/smtp.password", "s3cret-pass");
    ::chmod((dir_ + "/smtp.password").c_str(), 0600);
    WriteFileOrDie(dir_ + "/smtp.json",
                   nlohmann::json{{"url", smtp_->url()},
                                  {"username", "breachd"},
                                  {"password_file", dir_ + "/smtp.password"},
                                  {"ca_file", smtp_->ca_file()},
                                  {"from", "privacy@provider.example.org"}}
                       .dump());
    StartBreachd();
  }

  static void WriteFileOrDie(const std::string& path, const std::string& text) {
    FILE* file = std::fopen(path.c_str(), "w");
    ASSERT_NE(file, nullptr) << path;
    std::fputs(text.c_str(), file);
    std::fclose(file);
  }

  void StartBreachd() {
    const std::string ready = dir_ + "/breachd.ready";
    std::remove(ready.c_str());
    auto process = ChildProcess::Start(
        {kBin + "/breachd", "--services=all", "--listen=127.0.0.1:0", "--data_dir=" + dir_ + "/data",
         "--identity_file=" + dir_ + "/identity.json", "--ready_file=" + ready,
         "--regimes_dir=" + kSource + "/regimes", "--templates_dir=" + kSource + "/templates",
         "--smtp_config=" + dir_ + "/smtp.json", "--dispatch_rate=100", "--dev_identity",
         "--insecure"},
        absl::StrCat(dir_, "/breachd-", ++starts_));
    ASSERT_TRUE(process.ok()) << process.status();
    breachd_ = std::make_unique<ChildProcess>(*std::move(process));
    ASSERT_TRUE(WaitUntil([&] { return !ReadFile(ready).empty(); })) << breachd_->Stderr();
    endpoint_ = nlohmann::json::parse(ReadFile(ready))["endpoint"];
    channel_ = grpc::CreateChannel(endpoint_, grpc::InsecureChannelCredentials());
    notification_ = breach::v1::NotificationService::NewStub(channel_);
  }

  nlohmann::json Ok(std::vector<std::string> args, const std::string& token) {
    std::vector<std::string> argv = {kBin + "/breachctl"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"-o", "json"});
    const CommandResult result = RunCommand(
        argv, "", {"BREACHCTL_ENDPOINT=" + endpoint_, "BREACHCTL_TOKEN=" + token,
                   "BREACHCTL_INSECURE=1"});
    EXPECT_EQ(result.exit_code, 0) << absl::StrJoin(args, " ") << ": " << result.err;
    return result.exit_code == 0 ? nlohmann::json::parse(result.out) : nlohmann::json();
  }

  breach::v1::NotificationStatus Status(const std::string& id) {
    breach::v1::GetNotificationStatusRequest request;
    request.set_breach_id(id);
    breach::v1::NotificationStatus status;
    grpc::Status called =
        notification_->GetNotificationStatus(CallAs(kVespucciHeadToken).get(), request, &status);
    EXPECT_TRUE(called.ok()) << called.error_message();
    return status;
  }

  // A decided lost-laptop breach whose subjects' communication is approved.
  std::string ApprovedSubjectsDraft() {
    const std::string id =
        Ok({"report", "create", "-f", kSource + "/docs/examples/report-lost-laptop.json"},
           kVespucciStaffToken)
            .value("breach_id", "");
    const std::string aware_at = absl::FormatTime(absl::RFC3339_sec, absl::Now() - absl::Hours(1),
                                                  absl::UTCTimeZone());
    Ok({"breach", "triage", id, "--verdict", "breach", "--aware-at", aware_at, "--evidence",
        "Denuncia", "--reason", "Portatile non cifrato"},
       kVespucciHeadToken);
    EXPECT_TRUE(WaitUntil([&] {
      return RunCommand({kBin + "/breachctl", "assess", "submit", id, "-f",
                         kSource + "/docs/examples/assess-lost-laptop.json"},
                        "", {"BREACHCTL_ENDPOINT=" + endpoint_,
                             "BREACHCTL_TOKEN=" + std::string(kVespucciDpoToken),
                             "BREACHCTL_INSECURE=1"})
                 .exit_code == 0;
    }));
    Ok({"duty", "override", id, "--duty", "subjects", "--required", "true", "--reason",
        "Minori coinvolti: informiamo le famiglie"},
       kVespucciHeadToken);
    Ok({"assess", "decide", id, "--reason", "Decisione del dirigente"}, kVespucciHeadToken);

    breach::v1::PrepareDraftRequest prepare;
    prepare.set_breach_id(id);
    prepare.set_duty(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
    breach::v1::Draft draft;
    // The notification service hears of the decision through the bus.
    EXPECT_TRUE(WaitUntil([&] {
      return notification_->PrepareDraft(CallAs(kVespucciDpoToken).get(), prepare, &draft).ok();
    }));
    breach::v1::ApproveDraftRequest approve;
    approve.set_breach_id(id);
    approve.set_duty(draft.duty());
    approve.set_draft_version(draft.draft_version());
    approve.set_sha256(draft.sha256());
    grpc::Status approved = notification_->ApproveDraft(CallAs(kVespucciHeadToken).get(), approve, &draft);
    EXPECT_TRUE(approved.ok()) << approved.error_message();
    return id;
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::string dir_;
  std::unique_ptr<LocalSmtpServer> smtp_;
  std::unique_ptr<ChildProcess> breachd_;
  int starts_ = 0;
  std::string endpoint_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<breach::v1::NotificationService::Stub> notification_;
};

TEST_F(NotificationCrashTest, KilledBetweenTheSmtpTransactionAndSentNeverSendsTwice) {
  const std::string id = ApprovedSubjectsDraft();
  ASSERT_FALSE(HasFailure());
  std::string csv = "name,email,language\n";
  for (int i = 1; i <= kRecipients; ++i) {
    absl::StrAppend(&csv, "Genitore ", i, ",genitore", i, "@example.org,", i % 3 ? "it" : "en", "\n");
  }
  breach::v1::SendNotificationRequest send;
  send.set_breach_id(id);
  send.set_duty(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  send.set_recipients_csv(csv);
  send.set_request_id("letters-1");
  breach::v1::NotificationStatus queued;
  grpc::Status sent = notification_->SendNotification(CallAs(kVespucciHeadToken).get(), send, &queued);
  ASSERT_TRUE(sent.ok()) << sent.error_message();
  ASSERT_EQ(queued.deliveries_size(), kRecipients);

  // Kill breachd while the server holds its answer to a stored message, then start it again.
  for (int kill = 0; kill < kKills; ++kill) {
    const size_t before = smtp_->Messages().size();
    ASSERT_TRUE(WaitUntil([&] { return smtp_->Messages().size() > before; },
                          absl::Seconds(20)))
        << "after " << kill << " kills: " << Status(id).ShortDebugString();
    breachd_->Signal(SIGKILL);
    StartBreachd();
  }

  // Let the rest go out.
  auto settled = [&] {
    const breach::v1::NotificationStatus status = Status(id);
    for (const auto& delivery : status.deliveries()) {
      if (delivery.status() != breach::v1::DELIVERY_STATUS_SENT &&
          delivery.status() != breach::v1::DELIVERY_STATUS_OUTCOME_UNKNOWN) {
        return false;
      }
    }
    return true;
  };
  ASSERT_TRUE(WaitUntil(settled, absl::Seconds(60)));

  std::map<std::string, int> received;  // by Message-ID: the delivery's idempotency key
  for (const ReceivedMail& mail : smtp_->Messages()) ++received[mail.message_id];
  int unknown = 0;
  const breach::v1::NotificationStatus status = Status(id);
  for (const auto& delivery : status.deliveries()) {
    const int copies = received[absl::StrCat("<", delivery.idempotency_key(), "@breachd>")];
    EXPECT_LE(copies, 1) << delivery.delivery_id() << " was received twice";
    if (delivery.status() == breach::v1::DELIVERY_STATUS_SENT) {
      EXPECT_EQ(copies, 1) << delivery.delivery_id();
    } else {
      ++unknown;
    }
  }
  std::printf("%d kills, %d deliveries: %d sent once, %d outcome unknown\n", kKills,
              status.deliveries_size(), status.deliveries_size() - unknown, unknown);
  // Each kill caught one message in flight: stored by the server, not known as sent.
  EXPECT_GE(unknown, 1);
  EXPECT_LE(unknown, kKills);
  EXPECT_EQ(smtp_->Messages().size(), received.size());
}

}  // namespace
}  // namespace breachd
