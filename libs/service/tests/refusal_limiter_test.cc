#include "libs/service/refusal_limiter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::service {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;

TEST(RefusalLimiterTest, RefusedTooOftenIsLimitedWithTheWaitThenServedAgain) {
  FakeClock clock;
  RefusalLimiter limiter({.burst = 3, .refill = absl::Seconds(5)}, clock);
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(limiter.CheckAllowed("subject:user:dpo"), IsOk()) << i;
    limiter.RecordRefusal("subject:user:dpo");
  }
  EXPECT_THAT(limiter.CheckAllowed("subject:user:dpo"),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("too many refused calls from subject:user:dpo; retry in 5s")));
  EXPECT_THAT(limiter.CheckAllowed("subject:user:ops"), IsOk()) << "other keys are not limited";
  clock.Advance(absl::Seconds(2));
  EXPECT_THAT(limiter.CheckAllowed("subject:user:dpo"),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("retry in 3s")));
  clock.Advance(absl::Seconds(3));
  EXPECT_THAT(limiter.CheckAllowed("subject:user:dpo"), IsOk());
  limiter.RecordRefusal("subject:user:dpo");
  EXPECT_THAT(limiter.CheckAllowed("subject:user:dpo"),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(RefusalLimiterTest, KeepsAtMostMaxKeys) {
  FakeClock clock;
  RefusalLimiter limiter({.burst = 1, .refill = absl::Hours(1), .max_keys = 4}, clock);
  for (int i = 0; i < 100; ++i) limiter.RecordRefusal("peer:" + std::to_string(i));
  EXPECT_THAT(limiter.CheckAllowed("peer:99"), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(RefusalLimiterTest, PeerKeyDropsThePort) {
  EXPECT_EQ(PeerKey("ipv4:10.0.0.7:51234"), "peer:ipv4:10.0.0.7");
  EXPECT_EQ(PeerKey("ipv6:[::1]:51234"), "peer:ipv6:[::1]");
  EXPECT_EQ(PeerKey("unix:/tmp/socket"), "peer:unix:/tmp/socket");
  EXPECT_EQ(SubjectKey("user:dpo"), "subject:user:dpo");
}

}  // namespace
}  // namespace breachd::service
