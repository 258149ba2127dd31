#include "libs/common/csv_rows.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::FieldsAre;
using ::testing::HasSubstr;

TEST(SplitCsvTest, GivesEachRowTheLineItStartsOn) {
  auto rows = SplitCsv("\xEF\xBB\xBF" "a,b\r\n\r\n\"multi\r\nline\",\"x,\"\"y\"\"\"\r\nlast,row");
  ASSERT_THAT(rows, IsOk());
  EXPECT_THAT(*rows, ElementsAre(FieldsAre(1, ElementsAre("a", "b")),
                                 FieldsAre(3, ElementsAre("multi\r\nline", "x,\"y\"")),
                                 FieldsAre(5, ElementsAre("last", "row"))));
}

TEST(SplitCsvTest, NamesTheLineWhereTheTextStopsBeingCsv) {
  EXPECT_THAT(SplitCsv("a,b\nc,\"d\"e\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2 is not CSV")));
}

}  // namespace
}  // namespace breachd
