#include "libs/service/fellow_forwarder.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/common/ids.h"

namespace breachd::service {
namespace {

constexpr int32_t kPartitions = 6;

// An ownership serving `partitions` of 6, caught up (a static home, or after a catch-up).
void Serve(bus::PartitionOwnership& ownership, const std::vector<int32_t>& partitions) {
  ownership.Assign(partitions, kPartitions);
  ownership.MarkCaughtUp(partitions);
}

// A breach id in `partition` of 6.
std::string IdIn(int32_t partition) {
  const absl::Time now = absl::FromUnixSeconds(1'780'000'000);
  for (int i = 0;; ++i) {
    std::string id = DerivedUlid(NewUlid(now), absl::StrCat(i));
    if (bus::PartitionOfKey(id, kPartitions) == partition) return id;
  }
}

TEST(RouteForTest, UnpartitionedAndMalformedKeysAreAnsweredHere) {
  EXPECT_EQ(RouteFor(nullptr, IdIn(0), false), Routing::kLocal);
  EXPECT_EQ(RouteFor(nullptr, IdIn(0), true), Routing::kLocal);
  bus::PartitionOwnership ownership;
  Serve(ownership, {0});
  // The normal path refuses a malformed id with INVALID_ARGUMENT naming the field.
  EXPECT_EQ(RouteFor(&ownership, BreachKey("not-an-id"), false), Routing::kLocal);
  EXPECT_EQ(BreachKey("not-an-id"), "");
  const std::string id = IdIn(3);
  EXPECT_EQ(BreachKey(id), id);
}

TEST(RouteForTest, ServedKeysStayForwardedOnesAreNeverForwardedAgain) {
  bus::PartitionOwnership ownership;
  Serve(ownership, {0, 1, 2});
  for (int32_t p = 0; p < kPartitions; ++p) {
    const std::string id = IdIn(p);
    if (p < 3) {
      EXPECT_EQ(RouteFor(&ownership, id, false), Routing::kLocal) << p;
      EXPECT_EQ(RouteFor(&ownership, id, true), Routing::kLocal) << p;
    } else {
      EXPECT_EQ(RouteFor(&ownership, id, false), Routing::kForward) << p;
      EXPECT_EQ(RouteFor(&ownership, id, true), Routing::kRefuse) << p;
    }
  }
}

TEST(RouteForTest, AssignedButNotCaughtUpIsNotServedHere) {
  bus::PartitionOwnership ownership;
  ownership.Assign({0}, kPartitions);  // pending: must not answer NOT_FOUND for it
  EXPECT_EQ(RouteFor(&ownership, IdIn(0), false), Routing::kForward);
  EXPECT_EQ(RouteFor(&ownership, IdIn(0), true), Routing::kRefuse);
  ownership.MarkCaughtUp({0});
  EXPECT_EQ(RouteFor(&ownership, IdIn(0), false), Routing::kLocal);
}

TEST(PlaceIdTest, UnpartitionedTakesTheFirstCandidate) {
  int calls = 0;
  auto placed = PlaceId(nullptr, [&](int attempt) {
    ++calls;
    return absl::StrCat("candidate-", attempt);
  });
  ASSERT_TRUE(placed.ok()) << placed.status();
  EXPECT_EQ(*placed, "candidate-0");
  EXPECT_EQ(calls, 1);
}

TEST(PlaceIdTest, DrawsUntilTheIdFallsInAServedPartition) {
  bus::PartitionOwnership ownership;
  Serve(ownership, {4});
  const absl::Time now = absl::FromUnixSeconds(1'780'000'000);
  std::map<int32_t, int> partitions;
  for (int i = 0; i < 200; ++i) {
    auto placed = PlaceId(&ownership, [&](int) { return NewUlid(now); });
    ASSERT_TRUE(placed.ok()) << placed.status();
    ++partitions[bus::PartitionOfKey(*placed, kPartitions)];
  }
  EXPECT_EQ(partitions, (std::map<int32_t, int>{{4, 200}}));
}

TEST(PlaceIdTest, DerivedCandidatesAreTheSameOnEveryAttempt) {
  // A resumed fan-out must give a school the same case: derive from (seed, attempt).
  bus::PartitionOwnership ownership;
  Serve(ownership, {1, 5});
  const std::string seed = NewUlid(absl::FromUnixSeconds(1'780'000'000));
  auto derive = [&](int attempt) { return DerivedUlid(seed, absl::StrCat("case/X/", attempt)); };
  auto first = PlaceId(&ownership, derive);
  auto again = PlaceId(&ownership, derive);
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(*first, *again);
  EXPECT_TRUE(ownership.Serves(*first));
}

TEST(PlaceIdTest, UnavailableWhileNoPartitionIsServed) {
  bus::PartitionOwnership ownership;
  auto placed = PlaceId(&ownership, [](int) { return std::string("01JZ0000000000000000000000"); });
  EXPECT_EQ(placed.status().code(), absl::StatusCode::kUnavailable);
  ownership.Assign({2}, kPartitions);  // assigned, not caught up: still none served
  placed = PlaceId(&ownership, [](int) { return std::string("01JZ0000000000000000000000"); });
  EXPECT_EQ(placed.status().code(), absl::StatusCode::kUnavailable);
}

TEST(PlaceIdTest, ACandidateThatNeverFitsEndsUnavailable) {
  bus::PartitionOwnership ownership;
  Serve(ownership, {0});
  const std::string elsewhere = IdIn(1);
  auto placed = PlaceId(&ownership, [&](int) { return elsewhere; });
  EXPECT_EQ(placed.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace breachd::service
