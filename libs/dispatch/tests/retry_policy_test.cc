#include "libs/dispatch/retry_policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace breachd::dispatch {
namespace {

using ::testing::Optional;

TEST(NextBackoffTest, DoublesFromTheInitialBackoffUpToTheCapThenGivesUp) {
  const RetryPolicy policy{9, absl::Seconds(30), 2, absl::Minutes(10)};
  EXPECT_THAT(NextBackoff(policy, 0), Optional(absl::ZeroDuration()));
  EXPECT_THAT(NextBackoff(policy, 1), Optional(absl::Seconds(30)));
  EXPECT_THAT(NextBackoff(policy, 2), Optional(absl::Seconds(60)));
  EXPECT_THAT(NextBackoff(policy, 3), Optional(absl::Seconds(120)));
  EXPECT_THAT(NextBackoff(policy, 5), Optional(absl::Seconds(480)));
  EXPECT_THAT(NextBackoff(policy, 6), Optional(absl::Minutes(10)));
  EXPECT_THAT(NextBackoff(policy, 8), Optional(absl::Minutes(10)));
  EXPECT_EQ(NextBackoff(policy, 9), std::nullopt);
  EXPECT_EQ(NextBackoff(policy, 100), std::nullopt);
}

TEST(NextBackoffTest, TheDefaultPolicyMakesSixAttempts) {
  const RetryPolicy policy;
  EXPECT_THAT(NextBackoff(policy, 5), Optional(absl::Seconds(480)));
  EXPECT_EQ(NextBackoff(policy, 6), std::nullopt);
}

TEST(NextBackoffTest, SaturatesInsteadOfOverflowing) {
  RetryPolicy policy;
  policy.max_attempts = 5000;
  EXPECT_THAT(NextBackoff(policy, 4000), Optional(absl::Hours(1)));
}

TEST(NextBackoffTest, FullJitterScalesTheBackoffByTheRandomDraw) {
  const RetryPolicy policy;
  EXPECT_THAT(NextBackoff(policy, 3, [] { return 0.5; }), Optional(absl::Seconds(60)));
  EXPECT_THAT(NextBackoff(policy, 3, [] { return 0.0; }), Optional(absl::ZeroDuration()));
  EXPECT_EQ(NextBackoff(policy, 6, [] { return 0.5; }), std::nullopt);
}

TEST(IsRetryableTest, OnlyTransientFailures) {
  EXPECT_TRUE(IsRetryable(absl::UnavailableError("451")));
  EXPECT_TRUE(IsRetryable(absl::DeadlineExceededError("slow")));
  EXPECT_FALSE(IsRetryable(absl::FailedPreconditionError("550")));
  EXPECT_FALSE(IsRetryable(absl::InvalidArgumentError("bad url")));
  EXPECT_FALSE(IsRetryable(absl::OkStatus()));
}

}  // namespace
}  // namespace breachd::dispatch
