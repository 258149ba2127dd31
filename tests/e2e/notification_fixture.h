// What the notification end-to-end tests share: a real SMTP server (aiosmtpd, STARTTLS + AUTH)
// with breachd's settings file for it, one breachd (every service) using it, and a decided
// lost-laptop breach to notify about.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "breach/v1/notification.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/breachd_process.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/local_servers.h"

namespace breachd::testing {

class NotificationFixture : public ::testing::Test {
 protected:
  // Starts the SMTP server and breachd with `flags` besides --smtp_config.
  void StartAll(const LocalSmtpServerOptions& smtp_options, std::vector<std::string> flags) {
    scratch_ = TestFolderWithIdentity();
    dir_ = scratch_->path();
    auto smtp = LocalSmtpServer::Start(smtp_options);
    ASSERT_TRUE(smtp.ok()) << smtp.status();
    smtp_ = *std::move(smtp);
    WriteFile(dir_ + "/smtp.password", smtp_options.password);
    ASSERT_EQ(::chmod((dir_ + "/smtp.password").c_str(), 0600), 0);
    WriteFile(dir_ + "/smtp.json", nlohmann::json{{"url", smtp_->url()},
                                                  {"username", smtp_options.user},
                                                  {"password_file", dir_ + "/smtp.password"},
                                                  {"ca_file", smtp_->ca_file()},
                                                  {"from", "privacy@provider.example.org"},
                                                  {"from_name", "Ufficio privacy"}}
                                       .dump());
    flags.push_back("--smtp_config=" + dir_ + "/smtp.json");
    breachd_ = std::make_unique<BreachdProcess>(dir_, std::move(flags));
    ASSERT_TRUE(Restart());
  }

  // An SMTP server with STARTTLS and AUTH, and breachd sending fast, the Garante's address a
  // test one.
  void StartWithTestGarante() {
    LocalSmtpServerOptions smtp;
    smtp.user = "breachd";
    smtp.password = "s3cret-pass";
    StartAll(smtp, {"--dispatch_rate=200", "--authority_address=protocollo@garante.test"});
  }

  // (Re)starts breachd on its data and reconnects.
  bool Restart() {
    if (!breachd_->Start()) {
      ADD_FAILURE() << breachd_->Stderr();
      return false;
    }
    notification_ = breach::v1::NotificationService::NewStub(
        grpc::CreateChannel(breachd_->endpoint(), grpc::InsecureChannelCredentials()));
    return true;
  }

  static void WriteFile(const std::string& path, const std::string& text) {
    FILE* file = std::fopen(path.c_str(), "w");
    ASSERT_NE(file, nullptr) << path;
    std::fputs(text.c_str(), file);
    std::fclose(file);
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

  // Every delivery of `id` ended: sent, failed, published or of unknown outcome.
  bool Settled(const std::string& id) {
    const breach::v1::NotificationStatus status = Status(id);
    for (const auto& delivery : status.deliveries()) {
      switch (delivery.status()) {
        case breach::v1::DELIVERY_STATUS_QUEUED:
        case breach::v1::DELIVERY_STATUS_SENDING:
        case breach::v1::DELIVERY_STATUS_RETRYING:
          return false;
        default:
          break;
      }
    }
    return true;
  }

  // A lost-laptop breach filed by staff and judged a breach an hour ago by the head.
  std::string TriagedBreach() {
    const std::string id =
        breachd_->Ok({"report", "create", "-f",
                      std::string(BREACHD_SOURCE_DIR) + "/docs/examples/report-lost-laptop.json"},
                     kVespucciStaffToken)
            .value("breach_id", "");
    const std::string aware_at = absl::FormatTime(absl::RFC3339_sec, absl::Now() - absl::Hours(1),
                                                  absl::UTCTimeZone());
    breachd_->Ok({"breach", "triage", id, "--verdict", "breach", "--aware-at", aware_at,
                  "--evidence", "Denuncia alla Polfer", "--reason", "Portatile non cifrato"},
                 kVespucciHeadToken);
    return id;
  }

  // TriagedBreach, assessed, both art. 33 and 34 duties required and decided.
  std::string DecidedBreach() {
    const std::string id = TriagedBreach();
    // The assessment service hears of the triage through the bus.
    EXPECT_TRUE(WaitUntil([&] {
      return breachd_
                 ->Breachctl({"assess", "submit", id, "-f",
                              std::string(BREACHD_SOURCE_DIR) +
                                  "/docs/examples/assess-lost-laptop.json"},
                             kVespucciDpoToken)
                 .exit_code == 0;
    }));
    breachd_->Ok({"duty", "override", id, "--duty", "subjects", "--required", "true", "--reason",
                  "Minori coinvolti: informiamo le famiglie"},
                 kVespucciHeadToken);
    breachd_->Ok({"assess", "decide", id, "--reason", "Decisione del dirigente"},
                 kVespucciHeadToken);
    return id;
  }

  // Prepares (once the notification service knows the decision) and approves a draft.
  breach::v1::Draft ApprovedDraft(const std::string& id, breach::v1::DutyKind duty,
                                  const std::string& approver = kVespucciHeadToken) {
    breach::v1::PrepareDraftRequest prepare;
    prepare.set_breach_id(id);
    prepare.set_duty(duty);
    breach::v1::Draft draft;
    EXPECT_TRUE(WaitUntil([&] {
      return notification_->PrepareDraft(CallAs(kVespucciDpoToken).get(), prepare, &draft).ok();
    }));
    breach::v1::ApproveDraftRequest approve;
    approve.set_breach_id(id);
    approve.set_duty(duty);
    approve.set_draft_version(draft.draft_version());
    approve.set_sha256(draft.sha256());
    grpc::Status approved = notification_->ApproveDraft(CallAs(approver).get(), approve, &draft);
    EXPECT_TRUE(approved.ok()) << approved.error_message();
    return draft;
  }

  grpc::Status Send(const std::string& id, breach::v1::DutyKind duty, const std::string& csv,
                    const std::string& request_id, breach::v1::NotificationStatus* queued) {
    breach::v1::SendNotificationRequest send;
    send.set_breach_id(id);
    send.set_duty(duty);
    send.set_recipients_csv(csv);
    send.set_request_id(request_id);
    return notification_->SendNotification(CallAs(kVespucciHeadToken).get(), send, queued);
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::string dir_;
  std::unique_ptr<LocalSmtpServer> smtp_;
  std::unique_ptr<BreachdProcess> breachd_;
  std::unique_ptr<breach::v1::NotificationService::Stub> notification_;
};

}  // namespace breachd::testing
