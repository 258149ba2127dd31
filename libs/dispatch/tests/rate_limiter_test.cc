#include "libs/dispatch/rate_limiter.h"

#include "gtest/gtest.h"

namespace breachd::dispatch {
namespace {

TEST(RateLimiterTest, AllowsABurstThenOneTokenPerInterval) {
  FakeClock clock;
  RateLimiter limiter(clock, /*per_second=*/2, /*burst=*/3);
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_FALSE(limiter.TryAcquire());
  EXPECT_EQ(limiter.WaitTime(), absl::Milliseconds(500));
  clock.Advance(absl::Milliseconds(250));
  EXPECT_FALSE(limiter.TryAcquire());
  EXPECT_EQ(limiter.WaitTime(), absl::Milliseconds(250));
  clock.Advance(absl::Milliseconds(250));
  EXPECT_EQ(limiter.WaitTime(), absl::ZeroDuration());
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_FALSE(limiter.TryAcquire());
}

TEST(RateLimiterTest, NeverHoldsMoreThanTheBurst) {
  FakeClock clock;
  RateLimiter limiter(clock, 1, 2);
  clock.Advance(absl::Hours(1));
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_FALSE(limiter.TryAcquire());
}

TEST(RateLimiterTest, AClockThatGoesBackAddsNothing) {
  FakeClock clock;
  RateLimiter limiter(clock, 1, 1);
  EXPECT_TRUE(limiter.TryAcquire());
  const absl::Time start = clock.Now();
  clock.Set(start - absl::Seconds(10));  // a simulated clock goes back only when Set
  EXPECT_FALSE(limiter.TryAcquire());
  clock.Set(start);  // back where it was: still no time has passed
  EXPECT_FALSE(limiter.TryAcquire());
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE(limiter.TryAcquire());
}

}  // namespace
}  // namespace breachd::dispatch
