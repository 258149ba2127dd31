#include "services/breachd/suite_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::suite {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseServicesTest, AllIsEveryServiceThatHasAGrpcService) {
  ASSERT_OK_AND_ASSIGN(auto services, ParseServices("all"));
  EXPECT_THAT(services, ElementsAre("assessment", "intake", "notification", "register"));
  ASSERT_OK_AND_ASSIGN(services, ParseServices(" register , intake"));
  EXPECT_THAT(services, ElementsAre("intake", "register"));
}

TEST(ParseServicesTest, NamesAServiceThatCannotBeHosted) {
  const std::pair<const char*, const char*> refused[] = {
      {"notifications", "'notifications'"}, {"intake,notifier", "'notifier'"},
      {"all,registry", "'registry'"}};
  for (const auto& [flag, named] : refused) {
    EXPECT_THAT(ParseServices(flag), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(named)))
        << flag;
  }
  EXPECT_THAT(ParseServices(""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CheckHostableTest, RefusesWhatParseServicesRefuses) {
  EXPECT_THAT(CheckHostable({"intake", "notifier"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'notifier'")));
  EXPECT_THAT(CheckHostable({"intake", "assessment", "register"}), ::breachd::testing::IsOk());
  EXPECT_THAT(CheckHostable({}), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace breachd::suite
