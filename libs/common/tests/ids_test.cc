#include "libs/common/ids.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace breachd {
namespace {

TEST(UlidTest, HasUlidShapeAndSortsByTime) {
  const std::string earlier = NewUlid(absl::FromUnixSeconds(1767225600));
  const std::string later = NewUlid(absl::FromUnixSeconds(1767225601));
  EXPECT_TRUE(IsUlid(earlier));
  EXPECT_EQ(earlier.size(), 26u);
  EXPECT_LT(earlier, later);
}

TEST(UlidTest, IsUniqueWithinOneMillisecond) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(NewUlid(absl::FromUnixSeconds(1767225600)));
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(UlidTest, RejectsMalformedIds) {
  EXPECT_FALSE(IsUlid(""));
  EXPECT_FALSE(IsUlid("01J0000000000000000000000I"));  // I is not Crockford
  EXPECT_FALSE(IsUlid("01J00000000000000000000000X"));  // 27 chars
}

TEST(RandomHexTokenTest, HasRequestedLength) {
  EXPECT_EQ(RandomHexToken(16).size(), 32u);
  EXPECT_NE(RandomHexToken(16), RandomHexToken(16));
}

}  // namespace
}  // namespace breachd

namespace breachd {
namespace {

TEST(DerivedUlidTest, SameInputsSameIdOtherKeyOtherIdTimeOfTheBase) {
  const std::string base = NewUlid(absl::FromUnixSeconds(1'790'000'000));
  const std::string a = DerivedUlid(base, "MIIS01200V");
  EXPECT_TRUE(IsUlid(a));
  EXPECT_EQ(a, DerivedUlid(base, "MIIS01200V"));
  EXPECT_NE(a, DerivedUlid(base, "RMIC81500L"));
  EXPECT_NE(a, DerivedUlid(NewUlid(absl::FromUnixSeconds(1'790'000'000)), "MIIS01200V"));
  EXPECT_EQ(a.substr(0, 10), base.substr(0, 10));
}

}  // namespace
}  // namespace breachd
