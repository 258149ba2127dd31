#include "libs/eventstore/storage_layout.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace breachd::eventstore::layout {
namespace {

TEST(StorageLayoutTest, PositionsSortNumerically) {
  EXPECT_LT(EncodePosition(255), EncodePosition(256));
  EXPECT_LT(EncodePosition(1), EncodePosition(UINT64_MAX));
  EXPECT_EQ(DecodePosition(EncodePosition(0x0102030405060708)), 0x0102030405060708u);
  EXPECT_EQ(DecodePosition("short"), std::nullopt);
}

TEST(StorageLayoutTest, StreamKeysRoundTripAndKeepStreamsApart) {
  std::optional<StreamKeyParts> parts = DecodeStreamKey(StreamKey("breach-1", 42));
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->stream_id, "breach-1");
  EXPECT_EQ(parts->version, 42u);
  EXPECT_LT(StreamKey("s", 9), StreamKey("s", 10));
  // No key of stream "s1" starts with the prefix of stream "s".
  EXPECT_FALSE(StreamKey("s1", 1).starts_with(StreamPrefix("s")));
  EXPECT_EQ(DecodeStreamKey("bad"), std::nullopt);
}

TEST(StorageLayoutTest, StreamHeadsRoundTrip) {
  std::optional<StreamHead> head = DecodeStreamHead(EncodeStreamHead({7, std::string(32, 'h')}));
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->version, 7u);
  EXPECT_EQ(head->hash, std::string(32, 'h'));
  EXPECT_EQ(StreamOfHeadKey(StreamHeadKey("breach-1")), "breach-1");
  EXPECT_EQ(StreamOfHeadKey("other"), std::nullopt);
}

}  // namespace
}  // namespace breachd::eventstore::layout
