#include "libs/auth/authorizer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::auth {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;

const Principal kOperator{"user:ops", kProviderTenant, {kRoleProviderOperator}};
const Principal kDpo{"user:dpo", "MIIS01200V", {kRoleSchoolDpo}};
const Principal kStaff{"user:staff", "MIIS01200V", {kRoleSchoolStaff}};

TEST(AuthorizerTest, ProviderOperatorMayDoEverythingOnAnySchool) {
  for (Action action : {Action::kReportBreach, Action::kReadReport, Action::kReadRegister,
                        Action::kVerifyBreach, Action::kVerifyStore, Action::kListAllTenants,
                        Action::kManageParked}) {
    EXPECT_THAT(Authorize(kOperator, action, "RMIC81500L"), IsOk()) << ActionName(action);
  }
}

TEST(AuthorizerTest, SchoolNeverTouchesAnotherSchool) {
  for (Action action : {Action::kReportBreach, Action::kReadReport, Action::kReadRegister,
                        Action::kVerifyBreach}) {
    EXPECT_THAT(Authorize(kDpo, action, "RMIC81500L"),
                StatusIs(absl::StatusCode::kPermissionDenied, ::testing::HasSubstr("another")))
        << ActionName(action);
  }
}

TEST(AuthorizerTest, SchoolRolesDecideWhatIsAllowedOnTheOwnSchool) {
  EXPECT_THAT(Authorize(kDpo, Action::kReadRegister, "MIIS01200V"), IsOk());
  EXPECT_THAT(Authorize(kStaff, Action::kReportBreach, "MIIS01200V"), IsOk());
  EXPECT_THAT(Authorize(kStaff, Action::kReadRegister, "MIIS01200V"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Authorize(kDpo, Action::kVerifyStore, "MIIS01200V"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Authorize(kDpo, Action::kListAllTenants, ""),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Authorize(kDpo, Action::kManageParked, "MIIS01200V"),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(AuthorizerTest, RefusalOfAProviderWideActionNamesTheMissingRole) {
  // A DPO verifying the whole store lacks a role; it is not "another school's data".
  EXPECT_THAT(Authorize(kDpo, Action::kVerifyStore, ""),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       ::testing::AllOf(::testing::HasSubstr("verify-store"),
                                        ::testing::HasSubstr("provider-operator"),
                                        ::testing::Not(::testing::HasSubstr("another")))));
  EXPECT_THAT(Authorize(kStaff, Action::kReadRegister, "MIIS01200V"),
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::HasSubstr("school-dpo")));
}

TEST(AuthorizerTest, ProviderTenantWithoutOperatorRoleIsDenied) {
  const Principal auditor{"user:x", kProviderTenant, {"auditor"}};
  EXPECT_THAT(Authorize(auditor, Action::kReadRegister, "MIIS01200V"),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace breachd::auth
