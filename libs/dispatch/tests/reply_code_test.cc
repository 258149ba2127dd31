#include "libs/dispatch/reply_code.h"

#include "gtest/gtest.h"

namespace breachd::dispatch {
namespace {

TEST(ReplyCodeTest, TravelsBesideTheTextAndOnlyTheCodeIsLoggable) {
  const absl::Status refused = WithReplyCode(
      absl::FailedPreconditionError("SMTP smtp://mx to mario.rossi@example.it: 550 no such user"),
      550);
  EXPECT_EQ(ReplyCode(refused), "550");
  EXPECT_EQ(LoggableFailure(refused), "FAILED_PRECONDITION 550");
  EXPECT_EQ(refused.message(), "SMTP smtp://mx to mario.rossi@example.it: 550 no such user");
}

TEST(ReplyCodeTest, NoCodeWhenTheServerGaveNoneOrTheStatusIsOk) {
  EXPECT_EQ(LoggableFailure(WithReplyCode(absl::UnavailableError("to a@b.it: timeout"), 0)),
            "UNAVAILABLE");
  EXPECT_EQ(ReplyCode(WithReplyCode(absl::UnavailableError("x"), 1000)), "");
  EXPECT_TRUE(WithReplyCode(absl::OkStatus(), 250).ok());
  EXPECT_EQ(ReplyCode(WithReplyCode(absl::OkStatus(), 250)), "");
}

}  // namespace
}  // namespace breachd::dispatch
