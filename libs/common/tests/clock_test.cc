#include "libs/common/clock.h"

#include <atomic>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace breachd {
namespace {

using ::testing::ElementsAre;

const absl::Time kStart = absl::FromUnixSeconds(1767225600);  // 2026-01-01Z

TEST(SimulatedClockTest, StartsAtTheFirstOf2026AndMovesOnlyWhenTold) {
  FakeClock clock;
  EXPECT_EQ(clock.Now(), kStart);
  clock.Advance(absl::Hours(1));
  EXPECT_EQ(clock.Now(), kStart + absl::Hours(1));
  clock.Set(kStart - absl::Hours(5));  // backwards is allowed
  EXPECT_EQ(clock.Now(), kStart - absl::Hours(5));
}

TEST(SimulatedClockTest, AdvanceRunsDueAlarmsInTimeOrderAtTheirTime) {
  SimulatedClock clock(kStart);
  std::vector<std::string> ran;
  auto late = clock.ScheduleAt(kStart + absl::Hours(3), [&] {
    ran.push_back("3h@" + std::to_string(absl::ToInt64Hours(clock.Now() - kStart)));
  });
  auto early = clock.ScheduleAt(kStart + absl::Hours(1), [&] {
    ran.push_back("1h@" + std::to_string(absl::ToInt64Hours(clock.Now() - kStart)));
  });
  auto beyond = clock.ScheduleAt(kStart + absl::Hours(10), [&] { ran.push_back("10h"); });
  clock.Advance(absl::Hours(5));
  EXPECT_THAT(ran, ElementsAre("1h@1", "3h@3"));
  EXPECT_EQ(clock.Now(), kStart + absl::Hours(5));
}

TEST(SimulatedClockTest, NeverRunsAnAlarmEarly) {
  SimulatedClock clock(kStart);
  bool ran = false;
  auto alarm = clock.ScheduleAt(kStart + absl::Seconds(10), [&] { ran = true; });
  clock.Advance(absl::Seconds(10) - absl::Nanoseconds(1));
  EXPECT_FALSE(ran);
  clock.Advance(absl::Nanoseconds(1));
  EXPECT_TRUE(ran);
}

TEST(SimulatedClockTest, AlarmsScheduledByAnAlarmRunInTheSameAdvanceIfDue) {
  SimulatedClock clock(kStart);
  std::vector<int64_t> ran_at_minutes;
  std::vector<std::unique_ptr<Alarm>> alarms;
  std::function<void()> tick = [&] {
    ran_at_minutes.push_back(absl::ToInt64Minutes(clock.Now() - kStart));
    alarms.push_back(clock.ScheduleAt(clock.Now() + absl::Minutes(20), tick));
  };
  alarms.push_back(clock.ScheduleAt(kStart + absl::Minutes(20), tick));
  clock.Advance(absl::Hours(1));
  EXPECT_THAT(ran_at_minutes, ElementsAre(20, 40, 60));
}

TEST(SimulatedClockTest, AnAlarmAtOrBeforeNowRunsAtTheNextAdvance) {
  SimulatedClock clock(kStart);
  int ran = 0;
  auto now = clock.ScheduleAt(kStart, [&] { ++ran; });
  auto past = clock.ScheduleAt(kStart - absl::Hours(1), [&] {
    ++ran;
    EXPECT_EQ(clock.Now(), kStart);  // time never goes back for an alarm
  });
  EXPECT_EQ(ran, 0);
  clock.Advance(absl::ZeroDuration());
  EXPECT_EQ(ran, 2);
}

TEST(SimulatedClockTest, SetBackwardsRunsNothingAndSetForwardRunsDueAlarms) {
  SimulatedClock clock(kStart);
  int ran = 0;
  auto alarm = clock.ScheduleAt(kStart + absl::Hours(1), [&] { ++ran; });
  clock.Set(kStart - absl::Hours(1));
  EXPECT_EQ(ran, 0);
  clock.Set(kStart + absl::Hours(2));
  EXPECT_EQ(ran, 1);
}

TEST(SimulatedClockTest, CancelledAndDestroyedAlarmsNeverRun) {
  SimulatedClock clock(kStart);
  int ran = 0;
  auto cancelled = clock.ScheduleAt(kStart + absl::Minutes(1), [&] { ++ran; });
  cancelled->Cancel();
  cancelled->Cancel();  // idempotent
  clock.ScheduleAt(kStart + absl::Minutes(1), [&] { ++ran; });  // destroyed at once
  clock.Advance(absl::Hours(1));
  EXPECT_EQ(ran, 0);
}

TEST(SimulatedClockTest, AnAlarmMayCancelItselfAndOthers) {
  SimulatedClock clock(kStart);
  int other_ran = 0;
  std::unique_ptr<Alarm> other = clock.ScheduleAt(kStart + absl::Minutes(2), [&] { ++other_ran; });
  std::unique_ptr<Alarm> self;
  self = clock.ScheduleAt(kStart + absl::Minutes(1), [&] {
    self->Cancel();  // returns at once: does not wait for itself
    other.reset();
  });
  clock.Advance(absl::Hours(1));
  EXPECT_EQ(other_ran, 0);
}

TEST(SimulatedClockTest, AnAlarmMayOutliveItsClock) {
  std::unique_ptr<Alarm> alarm;
  {
    SimulatedClock clock(kStart);
    alarm = clock.ScheduleAt(kStart + absl::Minutes(1), [] {});
  }
  alarm->Cancel();
  alarm.reset();
}

// The only test that waits in real time: a few milliseconds.
TEST(SystemClockTest, RunsAnAlarmOnTimeAndNeverACancelledOne) {
  SystemClock clock;
  const absl::Time start = clock.Now();
  const absl::Time at = start + absl::Milliseconds(20);
  std::atomic<bool> cancelled_ran{false};
  auto cancelled = clock.ScheduleAt(at, [&] { cancelled_ran = true; });
  absl::Notification fired;
  absl::Time fired_at;
  auto alarm = clock.ScheduleAt(at, [&] {
    fired_at = clock.Now();
    fired.Notify();
  });
  cancelled->Cancel();
  ASSERT_TRUE(fired.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_GE(fired_at, at);
  EXPECT_FALSE(cancelled_ran);
}

TEST(SystemClockTest, CancelWaitsForARunningCallback) {
  SystemClock clock;
  absl::Notification started;
  std::atomic<bool> finished{false};
  auto alarm = clock.ScheduleAt(clock.Now(), [&] {
    started.Notify();
    absl::SleepFor(absl::Milliseconds(30));
    finished = true;
  });
  ASSERT_TRUE(started.WaitForNotificationWithTimeout(absl::Seconds(10)));
  alarm->Cancel();
  EXPECT_TRUE(finished);
}

TEST(SystemClockTest, GetIsOneInstance) { EXPECT_EQ(&SystemClock::Get(), &SystemClock::Get()); }

}  // namespace
}  // namespace breachd
