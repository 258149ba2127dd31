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
inline const Role kRoles[] = {{kRoleProviderOperator, kProviderTenant},
                       {kRoleProviderIncidentManager, kProviderTenant},
                       {kRoleProviderAuditor, kProviderTenant},
                       {kRoleService, kProviderTenant},         {kRoleSchoolHead, kOwnSchool},
                       {kRoleSchoolDpo, kOwnSchool},            {kRoleSchoolIt, kOwnSchool},
                       {kRoleSchoolStaff, kOwnSchool}};

// Y: allowed on the caller's own school (a provider role: on any school, or provider-wide).
// -: refused. A school role is always refused on another school's data (tested for every row).
struct Row {
  const char* rpc;                // "Service/Method", with the variant when an RPC has two
  std::optional<Action> action;   // nullopt: any authenticated caller (WhoAmI)
  bool provider_wide;             // the call reads across schools (no tenant)
  const char* expected;  // one letter per role: operator incident-manager auditor service head
                         // dpo it staff
};

// clang-format off
inline const Row kMatrix[] = {
  //                                                                        op im au sv hd dp it st
  {"IntakeService/ReportBreach",              Action::kReportBreach,      false, "YY--YYYY"},
  {"IntakeService/GetReport",                 Action::kReadReport,        false, "YY--YYYY"},
  {"IntakeService/Triage",                    Action::kTriageBreach,      false, "YY--YY--"},
  {"IntakeService/AmendReport",               Action::kAmendReport,       false, "YY--YY--"},
  {"IntakeService/AddAction",                 Action::kRecordContainment, false, "YY--YYY-"},
  {"IntakeService/ListActions",               Action::kReadContainment,   false, "YY--YYY-"},
  {"IntakeService/CloseBreach",               Action::kDecideBreach,      false, "YY--YY--"},
  {"IntakeService/ReopenBreach",              Action::kDecideBreach,      false, "YY--YY--"},
  {"AssessmentService/SubmitAssessment",      Action::kAssessBreach,      false, "YY--YY--"},
  {"AssessmentService/OverrideDuty",          Action::kOverrideDuty,      false, "YY--YY--"},
  {"AssessmentService/DecideDuties",          Action::kDecideBreach,      false, "YY--YY--"},
  {"AssessmentService/GetAssessment",         Action::kReadAssessment,    false, "YY--YY--"},
  {"AssessmentService/ListAssessmentVersions",Action::kReadAssessment,    false, "YY--YY--"},
  {"NotificationService/SetSchoolProfile",    Action::kManageSchools,     false, "YY------"},
  {"NotificationService/GetSchoolProfile",    Action::kReadNotifications, false, "YY--YY--"},
  {"NotificationService/ListDeadlines",       Action::kReadNotifications, false, "YY--YY--"},
  {"NotificationService/ListDeadlines (all schools)", Action::kListAllTenants, true, "YY------"},
  {"NotificationService/PrepareDraft",        Action::kPrepareDraft,      false, "YY--YY--"},
  {"NotificationService/GetDraft",            Action::kReadNotifications, false, "YY--YY--"},
  {"NotificationService/ApproveDraft",        Action::kApproveDraft,      false, "YY--YY--"},
  {"NotificationService/SendNotification",    Action::kSendNotification,  false, "YY--YY--"},
  {"NotificationService/GetNotificationStatus", Action::kReadNotifications, false, "YY--YY--"},
  {"NotificationService/RecordReceipt",       Action::kRecordReceipt,     false, "YY--YY--"},
  {"NotificationService/GetPublicNotice",     Action::kReadNotifications, false, "YY--YY--"},
  {"RegisterService/ListBreaches",            Action::kReadRegister,      false, "YY--YY--"},
  {"RegisterService/ListBreaches (all schools)", Action::kListAllTenants, true,  "YY------"},
  {"RegisterService/GetBreach",               Action::kReadRegister,      false, "YY--YY--"},
  {"RegisterService/GetTimeline",             Action::kReadRegister,      false, "YY--YY--"},
  {"RegisterService/GetKnowledge",            Action::kReadRegister,      false, "YY--YY--"},
  {"RegisterService/ExportRegister",          Action::kReadRegister,      false, "YY--YY--"},
  {"RegisterService/ExportRegister (all schools)", Action::kListAllTenants, true, "YY------"},
  {"AdminService/VerifyChains",               Action::kVerifyBreach,      false, "YYY-YY--"},
  {"AdminService/VerifyChains (every store)", Action::kVerifyStore,       true,  "YYY-----"},
  {"AdminService/WhoAmI",                     std::nullopt,               false, "YYYYYYYY"},
  {"AdminService/GetDeliveryStatus",          Action::kReadDeliveryStatus, true, "YYY-----"},
  {"AdminService/ListParked",                 Action::kManageParked,      true,  "YY------"},
  {"AdminService/RetryParked",                Action::kManageParked,      true,  "YY------"},
  {"AdminService/GetCheckpoints",             Action::kVerifyStore,       true,  "YYY-----"},
  {"AdminService/BackupStores",               Action::kBackUpStores,      true,  "YY------"},
  {"AdminService/RebuildProjection",          Action::kRebuildProjection, true,  "YY------"},
  {"DirectoryService/ImportSchools",          Action::kManageSchools,     true,  "YY------"},
  {"DirectoryService/ListSchools",            Action::kManageSchools,     true,  "YY------"},
  {"IncidentService/CreateIncident",          Action::kManageIncidents,   true,  "YY------"},
  {"IncidentService/GetIncident",             Action::kManageIncidents,   true,  "YY------"},
  {"IncidentService/ListIncidents",           Action::kManageIncidents,   true,  "YY------"},
  {"IncidentService/UpdateIncident",          Action::kManageIncidents,   true,  "YY------"},
  {"AccessService/GrantProviderAccess",       Action::kGrantProviderAccess, false, "----YY--"},
  {"AccessService/RevokeProviderAccess",      Action::kGrantProviderAccess, false, "----YY--"},
  {"AccessService/BreakGlass",                Action::kBreakGlass,        false, "-Y------"},
  {"EventFeedService/ReadEvents",             Action::kReadEventFeed,     true,  "YY-Y----"},
  {"TenantService/EraseTenant",               Action::kEraseTenant,       false, "YY------"},
  {"TenantService/SetContractEnd",            Action::kManageRetention,   false, "YY------"},
  {"TenantService/GetRetention",              Action::kManageRetention,   false, "YY------"},
  {"TenantService/RotateTenantKey",           Action::kRotateTenantKey,   false, "YY------"},
};
// clang-format on

}  // namespace breachd::auth::matrix
