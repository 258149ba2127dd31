#include "libs/directory/generator.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/directory/school_csv.h"

namespace breachd::directory {
namespace {

TEST(GeneratorTest, TenThousandValidSchoolsWithUniqueCodesThatRoundTripThroughCsv) {
  const std::vector<School> schools = GenerateDirectory(10'000);
  ASSERT_EQ(schools.size(), 10'000u);
  std::set<std::string> codes;
  for (const School& school : schools) {
    EXPECT_THAT(ValidateSchool(school), ::testing::IsEmpty()) << school.code;
    codes.insert(school.code);
  }
  EXPECT_EQ(codes.size(), schools.size());
  ASSERT_OK_AND_ASSIGN(ParsedDirectory parsed, ParseSchoolCsv(WriteSchoolCsv(schools)));
  EXPECT_THAT(parsed.errors, ::testing::IsEmpty());
  EXPECT_EQ(parsed.schools, schools);
}

TEST(GeneratorTest, TheSameSeedGivesTheSameDirectory) {
  EXPECT_EQ(GenerateDirectory(50, 7), GenerateDirectory(50, 7));
  EXPECT_NE(GenerateDirectory(50, 7), GenerateDirectory(50, 8));
}

}  // namespace
}  // namespace breachd::directory
