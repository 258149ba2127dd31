// The role x RPC x tenant matrix: for every RPC of every service (intake, assessment,
// notification, register, admin, feed) and every role, whether a caller of that role may make it
// on its own school, on another school, and provider-wide. The table below is the contract
// (docs/security.md, "Roles"); the test checks the authorizer decides exactly so, and that every
// RPC in the protos has a row, so a new RPC cannot ship without deciding who may call it.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "breach/v1/admin.pb.h"
#include "breach/v1/assessment_service.pb.h"
#include "breach/v1/feed.pb.h"
#include "breach/v1/intake.pb.h"
#include "breach/v1/notification.pb.h"
#include "breach/v1/register.pb.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "libs/auth/authorizer.h"
#include "libs/auth/principal.h"

namespace breachd::auth {
namespace {

constexpr char kOwnSchool[] = "MIIS01200V";
constexpr char kOtherSchool[] = "RMIC81500L";

// Columns of the table, in order.
struct Role {
  const char* name;
  const char* tenant;
};
const Role kRoles[] = {{kRoleProviderOperator, kProviderTenant}, {kRoleProviderAuditor, kProviderTenant},
                       {kRoleService, kProviderTenant},         {kRoleSchoolHead, kOwnSchool},
                       {kRoleSchoolDpo, kOwnSchool},            {kRoleSchoolIt, kOwnSchool},
                       {kRoleSchoolStaff, kOwnSchool}};

// Y: allowed on the caller's own school (a provider role: on any school, or provider-wide).
// -: refused. A school role is always refused on another school's data (tested for every row).
struct Row {
  const char* rpc;                // "Service/Method", with the variant when an RPC has two
  std::optional<Action> action;   // nullopt: any authenticated caller (WhoAmI)
  bool provider_wide;             // the call reads across schools (no tenant)
  const char* expected;  // one letter per role: operator auditor service head dpo it staff
};

// clang-format off
const Row kMatrix[] = {
  //                                                                        op au sv hd dp it st
  {"IntakeService/ReportBreach",              Action::kReportBreach,      false, "Y--YYYY"},
  {"IntakeService/GetReport",                 Action::kReadReport,        false, "Y--YYYY"},
  {"IntakeService/Triage",                    Action::kTriageBreach,      false, "Y--YY--"},
  {"IntakeService/AmendReport",               Action::kAmendReport,       false, "Y--YY--"},
  {"IntakeService/AddAction",                 Action::kRecordContainment, false, "Y--YYY-"},
  {"IntakeService/ListActions",               Action::kReadContainment,   false, "Y--YYY-"},
  {"IntakeService/CloseBreach",               Action::kDecideBreach,      false, "Y--YY--"},
  {"IntakeService/ReopenBreach",              Action::kDecideBreach,      false, "Y--YY--"},
  {"AssessmentService/SubmitAssessment",      Action::kAssessBreach,      false, "Y--YY--"},
  {"AssessmentService/OverrideDuty",          Action::kOverrideDuty,      false, "Y--YY--"},
  {"AssessmentService/DecideDuties",          Action::kDecideBreach,      false, "Y--YY--"},
  {"AssessmentService/GetAssessment",         Action::kReadAssessment,    false, "Y--YY--"},
  {"AssessmentService/ListAssessmentVersions",Action::kReadAssessment,    false, "Y--YY--"},
  {"NotificationService/SetSchoolProfile",    Action::kManageSchools,     false, "Y------"},
  {"NotificationService/GetSchoolProfile",    Action::kReadNotifications, false, "Y--YY--"},
  {"NotificationService/ListDeadlines",       Action::kReadNotifications, false, "Y--YY--"},
  {"NotificationService/ListDeadlines (all schools)", Action::kListAllTenants, true, "Y------"},
  {"NotificationService/PrepareDraft",        Action::kPrepareDraft,      false, "Y--YY--"},
  {"NotificationService/GetDraft",            Action::kReadNotifications, false, "Y--YY--"},
  {"NotificationService/ApproveDraft",        Action::kApproveDraft,      false, "Y--YY--"},
  {"NotificationService/SendNotification",    Action::kSendNotification,  false, "Y--YY--"},
  {"NotificationService/GetNotificationStatus", Action::kReadNotifications, false, "Y--YY--"},
  {"NotificationService/RecordReceipt",       Action::kRecordReceipt,     false, "Y--YY--"},
  {"NotificationService/GetPublicNotice",     Action::kReadNotifications, false, "Y--YY--"},
  {"RegisterService/ListBreaches",            Action::kReadRegister,      false, "Y--YY--"},
  {"RegisterService/ListBreaches (all schools)", Action::kListAllTenants, true,  "Y------"},
  {"RegisterService/GetBreach",               Action::kReadRegister,      false, "Y--YY--"},
  {"RegisterService/GetTimeline",             Action::kReadRegister,      false, "Y--YY--"},
  {"AdminService/VerifyChains",               Action::kVerifyBreach,      false, "YY-YY--"},
  {"AdminService/VerifyChains (every store)", Action::kVerifyStore,       true,  "YY-----"},
  {"AdminService/WhoAmI",                     std::nullopt,               false, "YYYYYYY"},
  {"AdminService/GetDeliveryStatus",          Action::kReadDeliveryStatus, true, "YY-----"},
  {"AdminService/ListParked",                 Action::kManageParked,      true,  "Y------"},
  {"AdminService/RetryParked",                Action::kManageParked,      true,  "Y------"},
  {"AdminService/GetCheckpoints",             Action::kVerifyStore,       true,  "YY-----"},
  {"EventFeedService/ReadEvents",             Action::kReadEventFeed,     true,  "Y-Y----"},
};
// clang-format on

Principal Caller(const Role& role) {
  return Principal{absl::StrCat("user:", role.name), role.tenant, {role.name}};
}

bool Allowed(const Row& row, const Role& role, const std::string& tenant) {
  if (!row.action) return true;
  return Authorize(Caller(role), *row.action, row.provider_wide ? "" : tenant).ok();
}

TEST(RoleMatrixTest, EveryRoleGetsWhatTheTableSaysOnItsOwnSchool) {
  for (const Row& row : kMatrix) {
    ASSERT_EQ(std::string(row.expected).size(), std::size(kRoles)) << row.rpc;
    for (size_t i = 0; i < std::size(kRoles); ++i) {
      const bool expected = row.expected[i] == 'Y';
      EXPECT_EQ(Allowed(row, kRoles[i], kOwnSchool), expected)
          << row.rpc << " as " << kRoles[i].name << ": expected "
          << (expected ? "allowed" : "refused");
    }
  }
}

TEST(RoleMatrixTest, NoSchoolRoleReachesAnotherSchool) {
  for (const Row& row : kMatrix) {
    if (!row.action) continue;  // WhoAmI reads only the caller itself
    for (const Role& role : kRoles) {
      const bool provider = std::string(role.tenant) == kProviderTenant;
      const bool own = Allowed(row, role, kOwnSchool);
      const bool other = Allowed(row, role, kOtherSchool);
      if (provider) {
        EXPECT_EQ(other, own) << row.rpc << " as " << role.name << ": every school alike";
      } else {
        EXPECT_FALSE(other) << row.rpc << " as " << role.name << " on another school";
      }
    }
  }
}

TEST(RoleMatrixTest, ACallerWithoutRolesIsRefusedEverything) {
  for (const Row& row : kMatrix) {
    if (!row.action) continue;
    for (const char* tenant : {kProviderTenant, kOwnSchool}) {
      EXPECT_FALSE(Authorize(Principal{"user:nobody", tenant, {}}, *row.action,
                             row.provider_wide ? "" : kOwnSchool)
                       .ok())
          << row.rpc << " without roles, tenant " << tenant;
    }
  }
}

TEST(RoleMatrixTest, EveryRpcOfEveryServiceHasARow) {
  std::set<std::string> rows;
  for (const Row& row : kMatrix) {
    std::string rpc = row.rpc;
    rows.insert(rpc.substr(0, rpc.find(' ')));
  }
  std::set<std::string> rpcs;
  for (const google::protobuf::FileDescriptor* file :
       {breach::v1::VerifyChainsRequest::descriptor()->file(),
        breach::v1::AssessmentVersion::descriptor()->file(),
        breach::v1::ReadEventsRequest::descriptor()->file(),
        breach::v1::ReportBreachRequest::descriptor()->file(),
        breach::v1::SchoolProfile::descriptor()->file(),
        breach::v1::ListBreachesRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        rpcs.insert(absl::StrCat(service->name(), "/", service->method(m)->name()));
      }
    }
  }
  EXPECT_EQ(rows, rpcs);
  EXPECT_EQ(rpcs.size(), 33u);  // in 6 services
}

}  // namespace
}  // namespace breachd::auth
