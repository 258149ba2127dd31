// SmtpSender against a real SMTP server (aiosmtpd) on loopback: STARTTLS, implicit TLS, AUTH,
// refusals and a server that is gone.
#include "libs/dispatch/smtp_sender.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/dispatch/reply_code.h"
#include "nlohmann/json.hpp"
#include "tests/testing/local_servers.h"

namespace breachd::dispatch {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::LocalSmtpServer;
using ::breachd::testing::LocalSmtpServerOptions;
using ::breachd::testing::StatusIs;
using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kUser[] = "breachd";
constexpr char kPassword[] = "s3cret-pw";

std::unique_ptr<LocalSmtpServer> StartServer(LocalSmtpServerOptions options) {
  auto server = LocalSmtpServer::Start(options);
  EXPECT_THAT(server, IsOk());
  return server.ok() ? *std::move(server) : nullptr;
}

LocalSmtpServerOptions WithAuth(LocalSmtpServerOptions::Tls tls) {
  LocalSmtpServerOptions options;
  options.tls = tls;
  options.user = kUser;
  options.password = kPassword;
  options.refuse = {"^later@:451", "^nobody@:550"};
  return options;
}

SmtpSettings SettingsFor(const LocalSmtpServer& server) {
  SmtpSettings settings;
  settings.url = server.url();
  settings.username = kUser;
  settings.password = kPassword;
  settings.ca_file = server.ca_file();
  settings.from_address = "notifiche@breachd.example.org";
  settings.from_name = "Notifiche breachd";
  settings.timeout = absl::Seconds(10);
  return settings;
}

MailMessage Message(const std::string& to = "mario.rossi@example.it") {
  MailMessage message;
  message.to_address = to;
  message.to_name = "Mario Rossi";
  message.subject = "Violazione dei dati personali: è necessaria la sua attenzione";
  message.text_body = "Gentile Mario,\nla scuola la informa di una violazione. Perché?\n.\nFine.\n";
  message.html_body = "<p>Gentile Mario, <b>perché</b>?</p>";
  message.message_id = "<dlv-01JD5Z8Q@breachd>";
  message.language = "it";
  message.extra_headers = {{"X-Breachd-Delivery", "dlv-01JD5Z8Q"}};
  return message;
}

TEST(SmtpSenderTest, DeliversOverStartTlsWithAuth) {
  auto server = StartServer(WithAuth(LocalSmtpServerOptions::Tls::kStartTls));
  ASSERT_NE(server, nullptr);
  const absl::StatusOr<std::string> reply = SmtpSender(SettingsFor(*server)).Send(Message());
  ASSERT_THAT(reply, IsOk());
  EXPECT_THAT(*reply, HasSubstr("250 Message accepted"));

  const auto messages = server->Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].mail_from, "notifiche@breachd.example.org");
  EXPECT_THAT(messages[0].rcpt_tos, ElementsAre("mario.rossi@example.it"));
  EXPECT_TRUE(messages[0].authenticated);
  EXPECT_EQ(messages[0].subject, "Violazione dei dati personali: è necessaria la sua attenzione");
  // A line with a lone "." survives: libcurl dot-stuffs the DATA.
  EXPECT_EQ(messages[0].text,
            "Gentile Mario,\nla scuola la informa di una violazione. Perché?\n.\nFine.\n");
  EXPECT_EQ(messages[0].html, "<p>Gentile Mario, <b>perché</b>?</p>\n");
  EXPECT_EQ(messages[0].message_id, "<dlv-01JD5Z8Q@breachd>");
  EXPECT_THAT(messages[0].raw, HasSubstr("X-Breachd-Delivery: dlv-01JD5Z8Q\r\n"));
}

TEST(SmtpSenderTest, DeliversWithSettingsReadFromAFile) {
  auto server = StartServer(WithAuth(LocalSmtpServerOptions::Tls::kStartTls));
  ASSERT_NE(server, nullptr);
  const std::string folder = server->folder();
  ASSERT_THAT(WriteFileAtomically(folder + "/smtp-password", absl::StrCat(kPassword, "\n"), 0600),
              IsOk());
  const nlohmann::json json = {{"url", server->url()},
                               {"username", kUser},
                               {"password_file", "smtp-password"},
                               {"ca_file", server->ca_file()},
                               {"from", "notifiche@breachd.example.org"},
                               {"timeout_seconds", 10}};
  ASSERT_THAT(WriteFileAtomically(folder + "/smtp.json", json.dump(), 0644), IsOk());
  const absl::StatusOr<SmtpSettings> settings = LoadSmtpSettings(folder + "/smtp.json");
  ASSERT_THAT(settings, IsOk());
  ASSERT_THAT(SmtpSender(*settings).Send(Message()), IsOk());
  EXPECT_EQ(server->Messages().size(), 1u);
}

TEST(SmtpSenderTest, DeliversOverImplicitTls) {
  auto server = StartServer(WithAuth(LocalSmtpServerOptions::Tls::kImplicit));
  ASSERT_NE(server, nullptr);
  ASSERT_THAT(SmtpSender(SettingsFor(*server)).Send(Message()), IsOk());
  ASSERT_EQ(server->Messages().size(), 1u);
  EXPECT_EQ(server->Messages()[0].message_id, "<dlv-01JD5Z8Q@breachd>");
}

TEST(SmtpSenderTest, AWrongPasswordIsRefusedWithTheServersAnswer) {
  auto server = StartServer(WithAuth(LocalSmtpServerOptions::Tls::kStartTls));
  ASSERT_NE(server, nullptr);
  SmtpSettings settings = SettingsFor(*server);
  settings.password = "wrong";
  const absl::StatusOr<std::string> reply = SmtpSender(settings).Send(Message());
  EXPECT_THAT(reply.status().code(), AnyOf(absl::StatusCode::kFailedPrecondition,
                                           absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(reply.status().message()), HasSubstr("535"));
  EXPECT_THAT(server->Messages(), IsEmpty());
}

TEST(SmtpSenderTest, A451IsUnavailableAndA550IsPermanent) {
  auto server = StartServer(WithAuth(LocalSmtpServerOptions::Tls::kStartTls));
  ASSERT_NE(server, nullptr);
  const SmtpSender sender(SettingsFor(*server));
  EXPECT_THAT(sender.Send(Message("later@example.it")),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("451")));
  const absl::StatusOr<std::string> refused = sender.Send(Message("nobody@example.it"));
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition,
                                HasSubstr("550 nobody@example.it: no such mailbox")));
  EXPECT_THAT(server->Messages(), IsEmpty());
  // What a log may say of it: the code, never the address the text quotes.
  EXPECT_EQ(ReplyCode(refused.status()), "550");
  EXPECT_EQ(LoggableFailure(refused.status()), "FAILED_PRECONDITION 550");
}

TEST(SmtpSenderTest, AServerThatIsGoneIsUnavailable) {
  auto server = StartServer(WithAuth(LocalSmtpServerOptions::Tls::kStartTls));
  ASSERT_NE(server, nullptr);
  const SmtpSettings settings = SettingsFor(*server);
  server->Stop();
  const absl::StatusOr<std::string> gone = SmtpSender(settings).Send(Message());
  EXPECT_THAT(gone, StatusIs(absl::StatusCode::kUnavailable, HasSubstr(settings.url)));
  EXPECT_EQ(LoggableFailure(gone.status()), "UNAVAILABLE");  // no reply code: none was given
}

TEST(SmtpSenderTest, ACertificateFromAnUntrustedCaIsATlsFailure) {
  auto server = StartServer(WithAuth(LocalSmtpServerOptions::Tls::kStartTls));
  ASSERT_NE(server, nullptr);
  SmtpSettings settings = SettingsFor(*server);
  settings.ca_file.clear();  // the system store does not know the test CA
  EXPECT_THAT(SmtpSender(settings).Send(Message()), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(server->Messages(), IsEmpty());
}

TEST(SmtpSenderTest, NothingIsSentToAServerWithoutStartTlsWhenTlsIsRequired) {
  LocalSmtpServerOptions options;
  options.tls = LocalSmtpServerOptions::Tls::kNone;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  SmtpSettings settings = SettingsFor(*server);
  settings.username.clear();
  EXPECT_THAT(SmtpSender(settings).Send(Message()), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(server->Messages(), IsEmpty());

  settings.require_tls = false;  // allowed on loopback only
  EXPECT_THAT(SmtpSender(settings).Send(Message()), IsOk());
  EXPECT_EQ(server->Messages().size(), 1u);
}

TEST(SmtpSenderTest, AnInvalidMessageIsRefusedBeforeConnecting) {
  SmtpSettings settings;
  settings.url = "smtp://127.0.0.1:1";
  settings.from_address = "n@example.org";
  MailMessage message = Message();
  message.to_address = "mario@";
  EXPECT_THAT(SmtpSender(settings).Send(message),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("to_address")));
}

}  // namespace
}  // namespace breachd::dispatch
