#include "libs/timers/durable_timers.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::timers {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::Optional;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01Z

class DurableTimersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = eventstore::EventStore::Open(dir_.path());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  eventstore::EventStore& store() { return *store_; }

  void Write(absl::StatusOr<std::vector<eventstore::ProjectionWrite>> rows) {
    ASSERT_THAT(rows, IsOk());
    ASSERT_THAT(store_->WriteProjection(*rows, /*sync=*/true), IsOk());
  }
  void Arm(const std::string& id, absl::Time due, const std::string& payload = "p") {
    Write(ArmTimer(store(), id, due, payload));
  }

  ::breachd::testing::ScratchDir dir_{"timers"};
  std::unique_ptr<eventstore::EventStore> store_;
};

auto Ids(const std::vector<DueTimer>& timers) {
  std::vector<std::string> ids;
  for (const DueTimer& timer : timers) ids.push_back(timer.id);
  return ids;
}

TEST_F(DurableTimersTest, ArmedTimersComeDueEarliestFirstAndOnlyWhenDue) {
  Arm("b1/deadline", kT0 + absl::Hours(72));
  Arm("b1/warning", kT0 + absl::Hours(48));
  Arm("b2/deadline", kT0 + absl::Hours(1));
  ASSERT_OK_AND_ASSIGN(std::optional<absl::Time> next, NextDue(store()));
  EXPECT_THAT(next, Optional(kT0 + absl::Hours(1)));
  ASSERT_OK_AND_ASSIGN(auto due, DueTimers(store(), kT0 + absl::Hours(48), 10));
  EXPECT_THAT(Ids(due), ElementsAre("b2/deadline", "b1/warning"));
  EXPECT_EQ(due[1].due, kT0 + absl::Hours(48));
  EXPECT_EQ(due[1].payload, "p");
  ASSERT_OK_AND_ASSIGN(due, DueTimers(store(), kT0 + absl::Hours(48) - absl::Microseconds(1), 10));
  EXPECT_THAT(Ids(due), ElementsAre("b2/deadline"));
  ASSERT_OK_AND_ASSIGN(due, DueTimers(store(), kT0 + absl::Hours(100), 2));
  EXPECT_THAT(Ids(due), ElementsAre("b2/deadline", "b1/warning"));
}

TEST_F(DurableTimersTest, ReArmingReplacesTheEarlierDueTime) {
  Arm("b1/deadline", kT0 + absl::Hours(1), "first");
  Arm("b1/deadline", kT0 + absl::Hours(5), "second");
  ASSERT_OK_AND_ASSIGN(auto due, DueTimers(store(), kT0 + absl::Hours(4), 10));
  EXPECT_THAT(due, IsEmpty());
  ASSERT_OK_AND_ASSIGN(due, DueTimers(store(), kT0 + absl::Hours(5), 10));
  ASSERT_THAT(Ids(due), ElementsAre("b1/deadline"));
  EXPECT_EQ(due[0].payload, "second");
  // Same time again: only the payload changes.
  Arm("b1/deadline", kT0 + absl::Hours(5), "third");
  ASSERT_OK_AND_ASSIGN(due, DueTimers(store(), kT0 + absl::Hours(5), 10));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].payload, "third");
}

TEST_F(DurableTimersTest, DisarmRemovesTheTimerAndIsEmptyForAnUnknownOne) {
  Arm("b1/deadline", kT0 + absl::Hours(1));
  Write(DisarmTimer(store(), "b1/deadline"));
  ASSERT_OK_AND_ASSIGN(std::optional<absl::Time> next, NextDue(store()));
  EXPECT_EQ(next, std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto rows, DisarmTimer(store(), "b1/deadline"));
  EXPECT_THAT(rows, IsEmpty());
}

TEST_F(DurableTimersTest, FireTimerRemovesExactlyThatTimer) {
  Arm("b1/deadline", kT0 + absl::Hours(1));
  Arm("b1/warning", kT0 + absl::Hours(2));
  ASSERT_OK_AND_ASSIGN(auto due, DueTimers(store(), kT0 + absl::Hours(1), 10));
  ASSERT_EQ(due.size(), 1u);
  ASSERT_THAT(store().WriteProjection(FireTimer(due[0]), true), IsOk());
  ASSERT_OK_AND_ASSIGN(auto left, TimersWithPrefix(store(), "b1/"));
  EXPECT_THAT(Ids(left), ElementsAre("b1/warning"));
}

TEST_F(DurableTimersTest, TimersWithPrefixListsOneBreachsTimers) {
  Arm("b1/deadline", kT0 + absl::Hours(72), "d");
  Arm("b1/warning/24h", kT0 + absl::Hours(24), "w");  // ids may contain '/'
  Arm("b10/deadline", kT0 + absl::Hours(1));
  Arm("b2/deadline", kT0 + absl::Hours(1));
  ASSERT_OK_AND_ASSIGN(auto timers, TimersWithPrefix(store(), "b1/"));
  ASSERT_THAT(Ids(timers), ElementsAre("b1/deadline", "b1/warning/24h"));
  EXPECT_EQ(timers[1].due, kT0 + absl::Hours(24));
  EXPECT_EQ(timers[1].payload, "w");
}

TEST_F(DurableTimersTest, TimesOutsideTheRangeAndEmptyIdsAreInvalid) {
  EXPECT_THAT(ArmTimer(store(), "x", absl::UnixEpoch() - absl::Microseconds(1), ""),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ArmTimer(store(), "x", absl::InfiniteFuture(), ""),
              StatusIs(absl::StatusCode::kInvalidArgument));
  const absl::Time last = absl::FromUnixMicros(int64_t{253402300799} * 1000000 + 999999);
  EXPECT_THAT(ArmTimer(store(), "x", last, ""), IsOk());
  EXPECT_THAT(ArmTimer(store(), "x", last + absl::Microseconds(1), ""),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ArmTimer(store(), "x", absl::UnixEpoch(), ""), IsOk());
  EXPECT_THAT(ArmTimer(store(), "", kT0, ""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(DurableTimersTest, ASubMicrosecondDueTimeIsRoundedUpNeverEarly) {
  Arm("b1/deadline", kT0 + absl::Nanoseconds(1500));
  ASSERT_OK_AND_ASSIGN(auto due, DueTimers(store(), kT0 + absl::Nanoseconds(1500), 10));
  EXPECT_THAT(due, IsEmpty());
  ASSERT_OK_AND_ASSIGN(due, DueTimers(store(), kT0 + absl::Microseconds(2), 10));
  ASSERT_THAT(due, ElementsAre(Field(&DueTimer::due, kT0 + absl::Microseconds(2))));
}

}  // namespace
}  // namespace breachd::timers
