#include "libs/dispatch/webhook_signature.h"

#include "gtest/gtest.h"
#include "libs/dispatch/webhook.h"

namespace breachd::dispatch {
namespace {

// Expected values from Python:
//   hmac.new(b'whsec_test', b'1767225600.{"event":"breach.notified","id":"01J0"}',
//            hashlib.sha256).hexdigest()
TEST(SignatureHeaderTest, MatchesAnHmacSha256ComputedElsewhere) {
  EXPECT_EQ(SignatureHeader("whsec_test", absl::FromUnixSeconds(1767225600),
                            R"({"event":"breach.notified","id":"01J0"})"),
            "t=1767225600,v1=41502ea5454c40aa470172976814c1cd2b080abe91e3f5affd093dd225abd79b");
  //   hmac.new(b'key', b'0.', hashlib.sha256).hexdigest()
  EXPECT_EQ(SignatureHeader("key", absl::UnixEpoch(), ""),
            "t=0,v1=85841b4efc3cd7776c3c8f9b7cca9e281c550e5d19889d78e9e669c6337f000d");
}

TEST(SignatureHeaderTest, BindsTheTimestamp) {
  EXPECT_NE(SignatureHeader("k", absl::FromUnixSeconds(1), "{}").substr(4),
            SignatureHeader("k", absl::FromUnixSeconds(2), "{}").substr(4));
}

TEST(ValidateWebhookUrlTest, HttpsOrLoopbackHttpOnly) {
  EXPECT_TRUE(ValidateWebhookUrl("https://hooks.example.org/breachd").ok());
  EXPECT_TRUE(ValidateWebhookUrl("http://127.0.0.1:8080/hook").ok());
  EXPECT_TRUE(ValidateWebhookUrl("http://localhost/hook").ok());
  EXPECT_TRUE(ValidateWebhookUrl("http://[::1]:9/hook").ok());
  EXPECT_EQ(ValidateWebhookUrl("http://hooks.example.org/").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateWebhookUrl("ftp://hooks.example.org/").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateWebhookUrl("not a url").code(), absl::StatusCode::kInvalidArgument);
}

TEST(WebhookSenderTest, RefusesABadUrlWithoutConnecting) {
  WebhookRequest request;
  request.url = "http://example.org/hook";
  request.body_json = "{}";
  const absl::StatusOr<std::string> answer = WebhookSender().Post(request, absl::Now());
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace breachd::dispatch
