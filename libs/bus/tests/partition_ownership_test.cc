#include "libs/bus/partition_ownership.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace breachd::bus {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A breach id that falls in `partition` of 6.
std::string IdIn(int32_t partition) {
  for (int i = 0;; ++i) {
    std::string id = absl::StrCat("01KBREACH", i);
    if (PartitionOfKey(id, 6) == partition) return id;
  }
}

TEST(PartitionOfKeyTest, SpreadsKeysOverEveryPartitionAndIsStable) {
  std::map<int32_t, int> counts;
  for (int i = 0; i < 6000; ++i) ++counts[PartitionOfKey(absl::StrCat("breach-", i), 6)];
  ASSERT_EQ(counts.size(), 6u);
  for (const auto& [partition, count] : counts) {
    EXPECT_GE(partition, 0);
    EXPECT_LT(partition, 6);
    EXPECT_GT(count, 800) << partition;  // about 1000 each
  }
  EXPECT_EQ(PartitionOfKey("01JZ0000000000000000000000", 6),
            PartitionOfKey("01JZ0000000000000000000000", 6));
}

TEST(PartitionOwnershipTest, NothingIsAppliedOrServedBeforeTheFirstAssignment) {
  PartitionOwnership ownership;
  EXPECT_FALSE(ownership.Applies(IdIn(0)));
  EXPECT_FALSE(ownership.Serves(IdIn(0)));
  EXPECT_EQ(ownership.PartitionOf(IdIn(0)), -1);
}

TEST(PartitionOwnershipTest, AGainedPartitionIsAppliedAtOnceAndServedOnceCaughtUp) {
  PartitionOwnership ownership;
  EXPECT_THAT(ownership.Assign({0, 2}, 6), ElementsAre(0, 2));
  EXPECT_TRUE(ownership.Applies(IdIn(0)));
  EXPECT_FALSE(ownership.Applies(IdIn(1)));
  EXPECT_FALSE(ownership.Serves(IdIn(0)));
  EXPECT_THAT(ownership.Pending(), ElementsAre(0, 2));
  ownership.MarkCaughtUp({0});
  EXPECT_TRUE(ownership.Serves(IdIn(0)));
  EXPECT_FALSE(ownership.Serves(IdIn(2)));
  EXPECT_THAT(ownership.Pending(), ElementsAre(2));
}

TEST(PartitionOwnershipTest, AnEagerRebalanceKeepingAPartitionNeedsNoNewCatchUp) {
  PartitionOwnership ownership;
  ownership.Assign({0, 1, 2}, 6);
  ownership.MarkCaughtUp({0, 1, 2});
  ownership.Revoke({0, 1, 2});
  // Between revoke and assignment another instance may serve them: not this one.
  EXPECT_FALSE(ownership.Serves(IdIn(0)));
  // ... but events still apply, so that nothing is skipped for a partition that stays.
  EXPECT_TRUE(ownership.Applies(IdIn(0)));
  EXPECT_THAT(ownership.Assign({0, 1}, 6), IsEmpty());
  EXPECT_TRUE(ownership.Serves(IdIn(0)));
  EXPECT_TRUE(ownership.Serves(IdIn(1)));
  EXPECT_FALSE(ownership.Applies(IdIn(2)));
  EXPECT_FALSE(ownership.Serves(IdIn(2)));
}

TEST(PartitionOwnershipTest, APartitionThatLeftAndCameBackIsCaughtUpAgain) {
  PartitionOwnership ownership;
  ownership.Assign({0, 1}, 6);
  ownership.MarkCaughtUp({0, 1});
  ownership.Assign({0}, 6);  // 1 went to another instance, which applied its events
  EXPECT_THAT(ownership.Assign({0, 1}, 6), ElementsAre(1));
  EXPECT_FALSE(ownership.Serves(IdIn(1)));
  ownership.MarkCaughtUp({1});
  EXPECT_TRUE(ownership.Serves(IdIn(1)));
}

TEST(PartitionOwnershipTest, ACatchUpFinishedAfterTheRevokeDoesNotServe) {
  PartitionOwnership ownership;
  ownership.Assign({3}, 6);
  ownership.Revoke({3});
  ownership.MarkCaughtUp({3});
  EXPECT_FALSE(ownership.Serves(IdIn(3)));
  ownership.Assign({3}, 6);  // back: applied all along, so complete
  EXPECT_TRUE(ownership.Serves(IdIn(3)));
}

TEST(PartitionOwnershipTest, AnotherPartitionCountStartsOver) {
  PartitionOwnership ownership;
  ownership.Assign({0}, 6);
  ownership.MarkCaughtUp({0});
  EXPECT_THAT(ownership.Assign({0}, 12), ElementsAre(0));
  EXPECT_FALSE(ownership.Serves(IdIn(0)));
}

}  // namespace
}  // namespace breachd::bus
