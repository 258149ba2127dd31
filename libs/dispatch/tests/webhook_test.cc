// WebhookSender against a real HTTPS server (Python http.server) on loopback with a test CA.
#include "libs/dispatch/webhook.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/dispatch/reply_code.h"
#include "tests/testing/local_servers.h"

namespace breachd::dispatch {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::LocalWebhookServer;
using ::breachd::testing::LocalWebhookServerOptions;
using ::breachd::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Optional;

constexpr char kSecret[] = "whsec_0123456789";
constexpr char kBody[] = R"({"event":"breach.notified","breach_id":"01JD5Z8Q","school":"MIIS01200V"})";

std::unique_ptr<LocalWebhookServer> StartServer(LocalWebhookServerOptions options) {
  auto server = LocalWebhookServer::Start(options);
  EXPECT_THAT(server, IsOk());
  return server.ok() ? *std::move(server) : nullptr;
}

WebhookRequest RequestTo(const LocalWebhookServer& server) {
  WebhookRequest request;
  request.url = server.url();
  request.body_json = kBody;
  request.idempotency_key = "dlv-01JD5Z8Q";
  request.secret = kSecret;
  request.ca_file = server.ca_file();
  request.timeout = absl::Seconds(10);
  return request;
}

TEST(WebhookSenderTest, PostsOverHttpsWithASignatureTheReceiverVerifies) {
  LocalWebhookServerOptions options;
  options.secret = kSecret;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  const absl::StatusOr<std::string> answer = WebhookSender().Post(RequestTo(*server), absl::Now());
  ASSERT_THAT(answer, IsOk());
  EXPECT_THAT(*answer, HasSubstr("200 OK {\"received\": 1}"));

  const auto requests = server->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/hook");
  EXPECT_EQ(requests[0].body, kBody);
  EXPECT_EQ(requests[0].headers.at("content-type"), "application/json");
  EXPECT_EQ(requests[0].headers.at("idempotency-key"), "dlv-01JD5Z8Q");
  EXPECT_THAT(requests[0].signature_ok, Optional(true));
}

TEST(WebhookSenderTest, TheReceiverRefusesASignatureMadeWithAnotherSecret) {
  LocalWebhookServerOptions options;
  options.secret = kSecret;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  WebhookRequest request = RequestTo(*server);
  request.secret = "another secret";
  ASSERT_THAT(WebhookSender().Post(request, absl::Now()), IsOk());
  ASSERT_EQ(server->Requests().size(), 1u);
  EXPECT_THAT(server->Requests()[0].signature_ok, Optional(false));
}

TEST(WebhookSenderTest, A500IsUnavailableAndTheRetryGoesThrough) {
  LocalWebhookServerOptions options;
  options.responses = {500, 200};
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  const absl::StatusOr<std::string> first = WebhookSender().Post(RequestTo(*server), absl::Now());
  EXPECT_THAT(first, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("500")));
  EXPECT_TRUE(IsRetryable(first.status()));
  EXPECT_EQ(LoggableFailure(first.status()), "UNAVAILABLE 500");
  EXPECT_THAT(WebhookSender().Post(RequestTo(*server), absl::Now()), IsOk());
  const auto requests = server->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].headers.at("idempotency-key"), requests[1].headers.at("idempotency-key"));
}

TEST(WebhookSenderTest, A404IsPermanentWithTheReason) {
  LocalWebhookServerOptions options;
  options.responses = {404};
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  const absl::StatusOr<std::string> answer = WebhookSender().Post(RequestTo(*server), absl::Now());
  EXPECT_THAT(answer, StatusIs(absl::StatusCode::kFailedPrecondition,
                               AllOf(HasSubstr("404 Not Found"), HasSubstr("no such hook"))));
  EXPECT_FALSE(IsRetryable(answer.status()));
}

TEST(WebhookSenderTest, A429IsUnavailableAndA301IsPermanent) {
  LocalWebhookServerOptions options;
  options.responses = {429, 301};
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  EXPECT_THAT(WebhookSender().Post(RequestTo(*server), absl::Now()),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("429 Too Many Requests")));
  // A signed POST is not sent on to wherever a redirect points.
  EXPECT_THAT(WebhookSender().Post(RequestTo(*server), absl::Now()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("301")));
}

TEST(WebhookSenderTest, ATimeoutIsUnavailable) {
  LocalWebhookServerOptions options;
  options.delay_first_seconds = 5;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  WebhookRequest request = RequestTo(*server);
  request.timeout = absl::Milliseconds(500);
  EXPECT_THAT(WebhookSender().Post(request, absl::Now()),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("timed out")));
}

TEST(WebhookSenderTest, AnUntrustedCertificateIsUnavailableAndNothingIsPosted) {
  auto server = StartServer({});
  ASSERT_NE(server, nullptr);
  WebhookRequest request = RequestTo(*server);
  request.ca_file.clear();
  EXPECT_THAT(WebhookSender().Post(request, absl::Now()), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_TRUE(server->Requests().empty());
}

TEST(WebhookSenderTest, PlainHttpToLoopbackIsAllowedForTests) {
  LocalWebhookServerOptions options;
  options.tls = false;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  EXPECT_THAT(WebhookSender().Post(RequestTo(*server), absl::Now()), IsOk());
}

}  // namespace
}  // namespace breachd::dispatch
