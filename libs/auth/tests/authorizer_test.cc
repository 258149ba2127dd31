#include "libs/auth/authorizer.h"

#include <map>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::auth {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;

constexpr char kOwnSchool[] = "MIIS01200V";
constexpr char kOtherSchool[] = "RMIC81500L";

const Principal kOperator{"user:ops", kProviderTenant, {kRoleProviderOperator}};
const Principal kIncidentManager{"user:im", kProviderTenant, {kRoleProviderIncidentManager}};
const Principal kHead{"user:preside", kOwnSchool, {kRoleSchoolHead}};
const Principal kDpo{"user:dpo", kOwnSchool, {kRoleSchoolDpo}};
const Principal kIt{"user:it", kOwnSchool, {kRoleSchoolIt}};
const Principal kStaff{"user:staff", kOwnSchool, {kRoleSchoolStaff}};

// The whole policy as a table: which school roles may take each action on their own school.
// Every other (role, action) pair on the own school, and every action on another school, is
// refused; the provider's staff may take every action on every school but granting access to
// a school's personal data (the school's) and breaking the glass (the incident manager's).
const std::map<Action, std::set<std::string>>& OwnSchoolPolicy() {
  static const auto* policy = new std::map<Action, std::set<std::string>>{
      {Action::kReportBreach, {kRoleSchoolHead, kRoleSchoolDpo, kRoleSchoolIt, kRoleSchoolStaff}},
      {Action::kReadReport, {kRoleSchoolHead, kRoleSchoolDpo, kRoleSchoolIt, kRoleSchoolStaff}},
      {Action::kReadRegister, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kVerifyBreach, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kTriageBreach, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kAmendReport, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kRecordContainment, {kRoleSchoolHead, kRoleSchoolDpo, kRoleSchoolIt}},
      {Action::kReadContainment, {kRoleSchoolHead, kRoleSchoolDpo, kRoleSchoolIt}},
      {Action::kAssessBreach, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kOverrideDuty, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kReadAssessment, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kDecideBreach, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kReadNotifications, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kPrepareDraft, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kApproveDraft, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kSendNotification, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kRecordReceipt, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kManageIncidents, {}},
      // The school's alone: the provider is its processor.
      {Action::kGrantProviderAccess, {kRoleSchoolHead, kRoleSchoolDpo}},
      // The incident manager's alone.
      {Action::kBreakGlass, {}},
      {Action::kEraseTenant, {}},  // crypto-shredding: operators only
      {Action::kManageRetention, {}},
      {Action::kRotateTenantKey, {}},  // a school's data key: operators only
      // The operator's alone, on one school's data.
      {Action::kManageSchools, {}},
      // Provider-wide: no school role.
      {Action::kVerifyStore, {}},
      {Action::kListAllTenants, {}},
      {Action::kReadEventFeed, {}},
      {Action::kReadDeliveryStatus, {}},
      {Action::kManageParked, {}},
      {Action::kBackUpStores, {}},
      {Action::kRebuildProjection, {}},
  };
  return *policy;
}

TEST(AuthorizerTest, PolicyTableCoversEveryAction) {
  for (Action action : kAllActions) {
    EXPECT_TRUE(OwnSchoolPolicy().count(action)) << ActionName(action);
    EXPECT_STRNE(ActionName(action), "unknown");
  }
}

TEST(AuthorizerTest, EveryRoleTimesEveryActionTimesOwnAndOtherSchool) {
  for (const Principal& principal : {kHead, kDpo, kIt, kStaff}) {
    const std::string role = principal.roles.front();
    for (Action action : kAllActions) {
      const bool allowed = OwnSchoolPolicy().at(action).count(role) > 0;
      const absl::Status own = Authorize(principal, action, kOwnSchool);
      if (allowed) {
        EXPECT_THAT(own, IsOk()) << role << " " << ActionName(action);
      } else {
        EXPECT_THAT(own, StatusIs(absl::StatusCode::kPermissionDenied,
                                  ::testing::AllOf(::testing::HasSubstr(ActionName(action)),
                                                   ::testing::HasSubstr("provider-"))))
            << role << " " << ActionName(action);
      }
      EXPECT_THAT(Authorize(principal, action, kOtherSchool),
                  StatusIs(absl::StatusCode::kPermissionDenied))
          << role << " " << ActionName(action) << " on another school";
    }
  }
}

TEST(AuthorizerTest, ProviderStaffMayDoEverythingOnAnySchoolButGrantAndBreakGlass) {
  for (Action action : kAllActions) {
    const bool schools_own = action == Action::kGrantProviderAccess;
    for (const Principal& staff : {kOperator, kIncidentManager}) {
      const bool allowed =
          !schools_own && (action != Action::kBreakGlass || staff.subject == "user:im");
      EXPECT_EQ(Authorize(staff, action, kOtherSchool).ok(), allowed)
          << staff.subject << " " << ActionName(action);
      EXPECT_EQ(Authorize(staff, action, kOwnSchool).ok(), allowed)
          << staff.subject << " " << ActionName(action);
    }
  }
  EXPECT_THAT(Authorize(kOperator, Action::kBreakGlass, kOwnSchool),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       ::testing::HasSubstr("needs the role provider-incident-manager")));
  EXPECT_THAT(Authorize(kOperator, Action::kGrantProviderAccess, kOwnSchool),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       ::testing::HasSubstr("needs the role school-head or school-dpo")));
}

TEST(AuthorizerTest, SchoolNeverTouchesAnotherSchool) {
  for (Action action : {Action::kReportBreach, Action::kReadReport, Action::kReadRegister,
                        Action::kVerifyBreach, Action::kTriageBreach, Action::kAssessBreach}) {
    EXPECT_THAT(Authorize(kDpo, action, kOtherSchool),
                StatusIs(absl::StatusCode::kPermissionDenied, ::testing::HasSubstr("another")))
        << ActionName(action);
  }
}

TEST(AuthorizerTest, RefusalOfAProviderWideActionNamesTheMissingRole) {
  // A DPO verifying the whole store lacks a role; it is not "another school's data".
  EXPECT_THAT(Authorize(kDpo, Action::kVerifyStore, ""),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       ::testing::AllOf(::testing::HasSubstr("verify-store"),
                                        ::testing::HasSubstr("provider-operator"),
                                        ::testing::Not(::testing::HasSubstr("another")))));
  EXPECT_THAT(Authorize(kStaff, Action::kReadRegister, kOwnSchool),
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::HasSubstr("school-dpo")));
  EXPECT_THAT(Authorize(kIt, Action::kTriageBreach, kOwnSchool),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       ::testing::HasSubstr("provider-operator, provider-incident-manager, "
                                            "school-head or school-dpo")));
}

TEST(AuthorizerTest, ServicePrincipalOnlyReadsTheEventFeed) {
  const Principal service{"service:breachd", kProviderTenant, {kRoleService}};
  for (Action action : kAllActions) {
    EXPECT_EQ(Authorize(service, action, kOwnSchool).ok(), action == Action::kReadEventFeed)
        << ActionName(action);
  }
}

TEST(AuthorizerTest, ProviderTenantWithoutOperatorRoleIsDenied) {
  const Principal auditor{"user:x", kProviderTenant, {"auditor"}};
  EXPECT_THAT(Authorize(auditor, Action::kReadRegister, kOwnSchool),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace breachd::auth
