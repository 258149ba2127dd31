#include "libs/common/text_limits.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace breachd {
namespace {

using ::testing::HasSubstr;

TEST(TextLimitsTest, TextAtTheLimitIsAcceptedAndOneByteMoreIsRefusedNamingTheField) {
  EXPECT_TRUE(CheckTextLength("note", std::string(kMaxReasonBytes, 'x'), kMaxReasonBytes).ok());
  absl::Status too_long =
      CheckTextLength("note", std::string(kMaxReasonBytes + 1, 'x'), kMaxReasonBytes);
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(too_long.message()), HasSubstr("note is 4097 bytes; the limit is 4096"));
}

TEST(TextLimitsTest, RequiredTextOfOnlyBlanksIsRefused) {
  absl::Status blank = RequireText("reason", " \t\n");
  EXPECT_EQ(blank.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(blank.message(), "reason is required");
  EXPECT_TRUE(RequireText("reason", "the laptop was stolen").ok());
  EXPECT_EQ(RequireText("what", "abcd", 3).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace breachd
