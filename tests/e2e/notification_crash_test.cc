// Dispatch survives being killed: breachd (every service, embedded bus) sends a letter to each
// data subject through a real SMTP server (aiosmtpd, STARTTLS + AUTH) that stores each message
// and then holds its "250" back; breachd is SIGKILLed while the server holds the answer, many
// times, and restarted. Every recipient ends up with the message exactly once, or with no
// message or one and the delivery marked "outcome unknown": never twice, never silently lost.
#include <cstdio>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/notification_fixture.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures

constexpr int kRecipients = 30;
constexpr int kKills = 4;

class NotificationCrashTest : public NotificationFixture {};

TEST_F(NotificationCrashTest, KilledBetweenTheSmtpTransactionAndSentNeverSendsTwice) {
  LocalSmtpServerOptions options;
  options.user = "breachd";
  options.password = "s3cret-pass";
  options.hold_reply_seconds = 0.5;
  StartAll(options, {"--dispatch_rate=100"});
  ASSERT_FALSE(HasFailure());
  const std::string id = DecidedBreach();
  ApprovedDraft(id, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  ASSERT_FALSE(HasFailure());
  std::string csv = "name,email,language\n";
  for (int i = 1; i <= kRecipients; ++i) {
    absl::StrAppend(&csv, "Genitore ", i, ",genitore", i, "@example.org,", i % 3 ? "it" : "en",
                    "\n");
  }
  breach::v1::NotificationStatus queued;
  grpc::Status sent =
      Send(id, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION, csv, "letters-1", &queued);
  ASSERT_TRUE(sent.ok()) << sent.error_message();
  ASSERT_EQ(queued.deliveries_size(), kRecipients);

  // Kill breachd while the server holds its answer to a stored message, then start it again.
  for (int kill = 0; kill < kKills; ++kill) {
    const size_t before = smtp_->Messages().size();
    ASSERT_TRUE(WaitUntil([&] { return smtp_->Messages().size() > before; }, absl::Seconds(20)))
        << "after " << kill << " kills: " << Status(id).ShortDebugString();
    breachd_->Kill();
    ASSERT_TRUE(Restart());
  }
  ASSERT_TRUE(WaitUntil([&] { return Settled(id); }, absl::Seconds(60)));

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
      EXPECT_EQ(delivery.status(), breach::v1::DELIVERY_STATUS_OUTCOME_UNKNOWN);
      ++unknown;
    }
  }
  std::printf("%d kills, %d deliveries: %d sent once, %d outcome unknown\n", kKills,
              status.deliveries_size(), status.deliveries_size() - unknown, unknown);
  // Each kill caught one message in flight: stored by the server, not known as sent.
  EXPECT_GE(unknown, 1);
  EXPECT_LE(unknown, kKills);
}

}  // namespace
}  // namespace breachd
