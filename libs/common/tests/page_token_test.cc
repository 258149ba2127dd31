#include "libs/common/page_token.h"

#include "gtest/gtest.h"

namespace breachd {
namespace {

TEST(PageTokenTest, RoundTripsWithinItsListing) {
  const std::string key = "entry/MIIS01200V/2026/01JQ0LAPTOP000000000000000";
  EXPECT_EQ(DecodePageToken(EncodePageToken(key), "entry/MIIS01200V/"), key);
  EXPECT_EQ(DecodePageToken(EncodePageToken(key), ""), key);
}

TEST(PageTokenTest, AnotherListingsOrGarbageIsRefused) {
  const std::string token = EncodePageToken("entry/RMIC81500L/2026/x");
  EXPECT_EQ(DecodePageToken(token, "entry/MIIS01200V/"), std::nullopt);
  EXPECT_EQ(DecodePageToken("***", ""), std::nullopt);
  EXPECT_EQ(DecodePageToken("", "entry/"), std::nullopt);
}

}  // namespace
}  // namespace breachd
