#include "tools/breachctl/assess_preview.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace breachd::breachctl {
namespace {

using ::testing::HasSubstr;

TEST(AssessPreviewTest, HelpPrintsUsage) {
  std::ostringstream out, err;
  EXPECT_EQ(RunAssessPreview({"--help"}, out, err), 0);
  EXPECT_THAT(out.str(), HasSubstr("breachctl assess preview -f assessment.json"));
}

TEST(AssessPreviewTest, RunsAnExampleWithTheDefaultDataDirectories) {
  std::ostringstream out, err;
  const int code = RunAssessPreview(
      {"-f", std::string(BREACHD_SOURCE_DIR) + "/docs/examples/assessment-lost-laptop-health-data.json",
       "-o", "table"},
      out, err);
  EXPECT_EQ(code, 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("AUTHORITY_NOTIFICATION"));
  EXPECT_THAT(out.str(), HasSubstr("authority-notification.it.md"));
}

TEST(AssessPreviewTest, UsageErrorExitsTwo) {
  std::ostringstream out, err;
  EXPECT_EQ(RunAssessPreview({}, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("-f assessment.json is required"));
}

}  // namespace
}  // namespace breachd::breachctl
