// The role x RPC x tenant matrix as a table: every RPC of every service and, per role, whether a
// caller of that role may make it (docs/security.md, "Roles"). Read by role_matrix_test.cc
// (the authorizer's decisions) and tests/integration/security_test.cc (real calls over gRPC).
#pragma once

#include <optional>

#include "libs/auth/authorizer.h"
#include "libs/auth/principal.h"

namespace breachd::auth::matrix {

inline constexpr char kOwnSchool[] = "MIIS01200V";
inline constexpr char kOtherSchool[] = "RMIC81500L";

// Columns of the table, in order.
struct Role {
  const char* name;
  const char* tenant;
};
inline const Role kRoles[] = {{kRoleProviderOperator, kProviderTenant}, {kRoleProviderAuditor, kProviderTenant},
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
inline const Row kMatrix[] = {
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
  {"RegisterService/GetKnowledge",            Action::kReadRegister,      false, "Y--YY--"},
  {"RegisterService/ExportRegister",          Action::kReadRegister,      false, "Y--YY--"},
  {"RegisterService/ExportRegister (all schools)", Action::kListAllTenants, true, "Y------"},
  {"AdminService/VerifyChains",               Action::kVerifyBreach,      false, "YY-YY--"},
  {"AdminService/VerifyChains (every store)", Action::kVerifyStore,       true,  "YY-----"},
  {"AdminService/WhoAmI",                     std::nullopt,               false, "YYYYYYY"},
  {"AdminService/GetDeliveryStatus",          Action::kReadDeliveryStatus, true, "YY-----"},
  {"AdminService/ListParked",                 Action::kManageParked,      true,  "Y------"},
  {"AdminService/RetryParked",                Action::kManageParked,      true,  "Y------"},
  {"AdminService/GetCheckpoints",             Action::kVerifyStore,       true,  "YY-----"},
  {"AdminService/BackupStores",               Action::kBackUpStores,      true,  "Y------"},
  {"DirectoryService/ImportSchools",          Action::kManageSchools,     true,  "Y------"},
  {"DirectoryService/ListSchools",            Action::kManageSchools,     true,  "Y------"},
  {"IncidentService/CreateIncident",          Action::kManageIncidents,   true,  "Y------"},
  {"IncidentService/GetIncident",             Action::kManageIncidents,   true,  "Y------"},
  {"IncidentService/ListIncidents",           Action::kManageIncidents,   true,  "Y------"},
  {"EventFeedService/ReadEvents",             Action::kReadEventFeed,     true,  "Y-Y----"},
  {"TenantService/EraseTenant",               Action::kEraseTenant,       false, "Y------"},
  {"TenantService/SetContractEnd",            Action::kManageRetention,   false, "Y------"},
  {"TenantService/GetRetention",              Action::kManageRetention,   false, "Y------"},
};
// clang-format on

}  // namespace breachd::auth::matrix
