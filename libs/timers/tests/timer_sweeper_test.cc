#include "libs/timers/timer_sweeper.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/proto_time.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/timers/durable_timers.h"
#include "libs/timers/testing/fire_timers.h"

namespace breachd::timers {
namespace {

using ::breachd::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01Z

int64_t HoursSince(absl::Time t) { return absl::ToInt64Hours(t - kT0); }

// A sweep over an in-memory set of due times; records when it ran.
struct ScriptedSweep {
  std::set<absl::Time> due;
  std::vector<int64_t> swept_at_hours;
  TimerSweeper::Sweep Fn() {
    return [this](absl::Time now) -> absl::StatusOr<std::optional<absl::Time>> {
      swept_at_hours.push_back(HoursSince(now));
      due.erase(due.begin(), due.upper_bound(now));
      if (due.empty()) return std::nullopt;
      return *due.begin();
    };
  }
};

TEST(TimerSweeperTest, StartSweepsAtOnceThenAtEachDueTimeInOrder) {
  SimulatedClock clock(kT0);
  ScriptedSweep script;
  script.due = {kT0 + absl::Hours(48), kT0 + absl::Hours(24), kT0 + absl::Hours(72),
                kT0 + absl::Hours(100)};
  TimerSweeper sweeper(clock, script.Fn());
  sweeper.Start();
  EXPECT_THAT(script.swept_at_hours, ElementsAre(0));
  clock.Advance(absl::Hours(72));
  EXPECT_THAT(script.swept_at_hours, ElementsAre(0, 24, 48, 72));
}

TEST(TimerSweeperTest, PokeSweepsAtTheNextAdvanceAndNothingBeforeStart) {
  SimulatedClock clock(kT0);
  ScriptedSweep script;
  TimerSweeper sweeper(clock, script.Fn());
  sweeper.Poke();
  clock.Advance(absl::ZeroDuration());
  EXPECT_THAT(script.swept_at_hours, IsEmpty());
  sweeper.Start();  // nothing armed: no alarm
  clock.Advance(absl::Hours(1));
  EXPECT_THAT(script.swept_at_hours, ElementsAre(0));
  script.due.insert(kT0 + absl::Hours(3));
  sweeper.Poke();
  sweeper.Poke();  // one sweep is enough
  clock.Advance(absl::ZeroDuration());
  EXPECT_THAT(script.swept_at_hours, ElementsAre(0, 1));
  clock.Advance(absl::Hours(5));
  EXPECT_THAT(script.swept_at_hours, ElementsAre(0, 1, 3));
}

// A timer no earlier than the pending alarm needs no sweep now: that alarm's sweep sees it. An
// earlier one, or one armed while a sweep runs (it may have read the timers before), does.
TEST(TimerSweeperTest, PokeWithALaterTimerLeavesThePendingAlarmAndAnEarlierOneSweepsNow) {
  SimulatedClock clock(kT0);
  ScriptedSweep script{.due = {kT0 + absl::Hours(48)}, .swept_at_hours = {}};
  TimerSweeper sweeper(clock, script.Fn());
  sweeper.Start();
  script.due.insert({kT0 + absl::Hours(48), kT0 + absl::Hours(60)});
  sweeper.Poke(kT0 + absl::Hours(48));
  sweeper.Poke(kT0 + absl::Hours(60));
  clock.Advance(absl::ZeroDuration());
  EXPECT_THAT(script.swept_at_hours, ElementsAre(0));  // no sweep for them now
  script.due.insert(kT0 + absl::Hours(24));
  sweeper.Poke(kT0 + absl::Hours(24));
  clock.Advance(absl::ZeroDuration());
  EXPECT_THAT(script.swept_at_hours, ElementsAre(0, 0));
  clock.Advance(absl::Hours(72));
  EXPECT_THAT(script.swept_at_hours, ElementsAre(0, 0, 24, 48, 60));

  // Armed while a sweep run by an alarm reads the timers (that alarm is at or before the new
  // timer): the sweep is followed by another, or the timer would wait for the next alarm.
  ScriptedSweep inner;
  TimerSweeper* self = nullptr;
  TimerSweeper racing(clock, [&](absl::Time now) -> absl::StatusOr<std::optional<absl::Time>> {
    absl::StatusOr<std::optional<absl::Time>> next = inner.Fn()(now);
    if (inner.swept_at_hours.size() == 2) {
      inner.due.insert(now + absl::Hours(200));
      self->Poke(now + absl::Hours(200));
    }
    return next;
  });
  self = &racing;
  inner.due = {clock.Now() + absl::Hours(300)};
  racing.Start();
  racing.Poke();
  clock.Advance(absl::ZeroDuration());
  clock.Advance(absl::ZeroDuration());
  clock.Advance(absl::Hours(250));
  EXPECT_THAT(inner.swept_at_hours, ElementsAre(72, 72, 72, 272));
}

TEST(TimerSweeperTest, AFailedSweepIsRetriedAfterTheBackOff) {
  SimulatedClock clock(kT0);
  std::vector<absl::Time> attempts;
  TimerSweeper sweeper(
      clock,
      [&](absl::Time now) -> absl::StatusOr<std::optional<absl::Time>> {
        attempts.push_back(now);
        if (attempts.size() < 3) return absl::UnavailableError("disk full");
        return std::nullopt;
      },
      absl::Seconds(1));
  sweeper.Start();
  clock.Advance(absl::Milliseconds(999));
  EXPECT_EQ(attempts.size(), 1u);
  clock.Advance(absl::Minutes(1));
  EXPECT_THAT(attempts, ElementsAre(kT0, kT0 + absl::Seconds(1), kT0 + absl::Seconds(2)));
}

TEST(TimerSweeperTest, StopCancelsTheNextSweep) {
  SimulatedClock clock(kT0);
  ScriptedSweep script;
  script.due = {kT0 + absl::Hours(1)};
  TimerSweeper sweeper(clock, script.Fn());
  sweeper.Start();
  sweeper.Stop();
  sweeper.Poke();
  clock.Advance(absl::Hours(2));
  EXPECT_THAT(script.swept_at_hours, ElementsAre(0));
}

// The only test on real time (milliseconds): sweeps run on the SystemClock's timer thread.
TEST(TimerSweeperTest, RunsOnTheSystemClocksTimerThread) {
  SystemClock clock;
  absl::Notification second_sweep;
  int sweeps = 0;
  TimerSweeper sweeper(clock, [&](absl::Time now) -> absl::StatusOr<std::optional<absl::Time>> {
    if (++sweeps == 1) return now + absl::Milliseconds(10);
    second_sweep.Notify();
    return std::nullopt;
  });
  sweeper.Start();
  EXPECT_TRUE(second_sweep.WaitForNotificationWithTimeout(absl::Seconds(10)));
  sweeper.Stop();
  EXPECT_EQ(sweeps, 2);
}

// The service's loop end to end on a real store: sweeps fire what is due in one Append with the
// timers' rows; the store is closed half way and stays down while timers fall due.
TEST(TimerSweeperTest, SeventyTwoHourWalkWithARestartFiresEveryTimerOnceAndNeverEarly) {
  ::breachd::testing::ScratchDir dir("timers-walk");
  SimulatedClock clock(kT0);
  eventstore::Options options;
  options.clock = &clock;
  std::unique_ptr<eventstore::EventStore> store;
  auto open = [&] {
    auto opened = eventstore::EventStore::Open(dir.path(), options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store = *std::move(opened);
  };
  ASSERT_NO_FATAL_FAILURE(open());

  // 60 timers over 72 hours, several at the same time; one re-armed later, one disarmed.
  std::map<std::string, absl::Time> expected;
  std::vector<eventstore::ProjectionWrite> rows;
  for (int i = 0; i < 60; ++i) {
    const std::string id = absl::StrCat("b", i % 7, "/t", i);
    const absl::Time due = kT0 + absl::Minutes(37 + (i * 71) % (72 * 60 - 37));
    ASSERT_OK_AND_ASSIGN(auto armed, ArmTimer(*store, id, due, absl::StrCat("payload ", i)));
    ASSERT_THAT(store->WriteProjection(armed, true), IsOk());
    expected[id] = due;
  }
  ASSERT_OK_AND_ASSIGN(auto rearmed, ArmTimer(*store, "b0/t0", kT0 + absl::Hours(71), "late"));
  ASSERT_THAT(store->WriteProjection(rearmed, true), IsOk());
  expected["b0/t0"] = kT0 + absl::Hours(71);
  ASSERT_OK_AND_ASSIGN(auto disarmed, DisarmTimer(*store, "b1/t1"));
  ASSERT_THAT(store->WriteProjection(disarmed, true), IsOk());
  expected.erase("b1/t1");

  std::map<std::string, int> fired;
  auto sweep = [&](absl::Time now) -> absl::StatusOr<std::optional<absl::Time>> {
    // A small batch, so that several sweeps run at one time.
    ASSIGN_OR_RETURN(std::vector<DueTimer> due, DueTimers(*store, now, 4));
    for (const DueTimer& timer : due) {
      EXPECT_LE(timer.due, now) << timer.id;
      EXPECT_EQ(timer.due, expected[timer.id]) << timer.id;
      ++fired[timer.id];
    }
    RETURN_IF_ERROR(testing::AppendFired(*store, "timers", now, due, /*per_append=*/3));
    return NextDue(*store);
  };

  auto sweeper = std::make_unique<TimerSweeper>(clock, sweep);
  sweeper->Start();
  clock.Advance(absl::Hours(30));
  sweeper.reset();  // stops
  const auto before_down = fired;
  store.reset();
  clock.Advance(absl::Hours(6));  // down while timers fall due
  ASSERT_NO_FATAL_FAILURE(open());
  sweeper = std::make_unique<TimerSweeper>(clock, sweep);
  sweeper->Start();  // catches up what fell due while down
  const auto caught_up = fired;
  clock.Advance(absl::Hours(72));
  sweeper.reset();

  EXPECT_GT(caught_up.size(), before_down.size());
  std::map<std::string, int> events;
  std::map<std::string, absl::Time> fired_at;
  ASSERT_THAT(store->ReadAll(1,
                             [&](const breach::v1::EventEnvelope& event) -> absl::StatusOr<bool> {
                               EXPECT_EQ(event.type(), testing::kTimerFiredType);
                               const absl::Time at = TimeFromProto(event.occurred_at());
                               EXPECT_GE(at, expected[event.correlation_id()])
                                   << event.correlation_id();
                               fired_at[event.correlation_id()] = at;
                               ++events[event.correlation_id()];
                               return true;
                             }),
              IsOk());
  EXPECT_EQ(events.size(), expected.size());
  for (const auto& [id, due] : expected) {
    EXPECT_EQ(events[id], 1) << id;
    EXPECT_EQ(fired[id], 1) << id;
  }
  EXPECT_EQ(events.count("b1/t1"), 0u);
  // What fell due while the service was down fired at the restart (Start's sweep and the ones
  // right after it, four timers per sweep); the rest on time.
  for (const auto& [id, due] : expected) {
    const bool while_down = due > kT0 + absl::Hours(30) && due <= kT0 + absl::Hours(36);
    EXPECT_EQ(fired_at[id], while_down ? kT0 + absl::Hours(36) : due) << id;
  }
  ASSERT_OK_AND_ASSIGN(std::optional<absl::Time> next, NextDue(*store));
  EXPECT_EQ(next, std::nullopt);
}

}  // namespace
}  // namespace breachd::timers
