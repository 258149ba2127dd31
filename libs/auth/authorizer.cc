#include "libs/auth/authorizer.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace breachd::auth {
namespace {

// Who may take an action besides the provider's staff (who may take every action on every
// school but the two of ProviderRoles()). The school roles follow the procedure (seed 002): anyone reports; the controller
// (head) and the DPO judge, assess, decide and override; IT records what it did to contain.
struct Rule {
  Action action;
  const char* name;
  bool provider_wide;  // on the whole provider's data, never one school's
  std::vector<const char*> school_roles;
};

const std::vector<Rule>& Rules() {
  static const auto* rules = new std::vector<Rule>{
      {Action::kReportBreach, "report-breach", false,
       {kRoleSchoolHead, kRoleSchoolDpo, kRoleSchoolIt, kRoleSchoolStaff}},
      {Action::kReadReport, "read-report", false,
       {kRoleSchoolHead, kRoleSchoolDpo, kRoleSchoolIt, kRoleSchoolStaff}},
      {Action::kReadRegister, "read-register", false, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kVerifyBreach, "verify-breach", false, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kVerifyStore, "verify-store", true, {}},
      {Action::kListAllTenants, "list-all-tenants", true, {}},
      {Action::kReadEventFeed, "read-event-feed", true, {}},
      {Action::kReadDeliveryStatus, "read-delivery-status", true, {}},
      {Action::kManageParked, "manage-parked", true, {}},
      {Action::kBackUpStores, "back-up-stores", true, {}},
      {Action::kRebuildProjection, "rebuild-projection", true, {}},
      {Action::kTriageBreach, "triage-breach", false, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kAmendReport, "amend-report", false, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kRecordContainment, "record-containment", false,
       {kRoleSchoolHead, kRoleSchoolDpo, kRoleSchoolIt}},
      {Action::kReadContainment, "read-containment", false,
       {kRoleSchoolHead, kRoleSchoolDpo, kRoleSchoolIt}},
      {Action::kAssessBreach, "assess-breach", false, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kOverrideDuty, "override-duty", false, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kReadAssessment, "read-assessment", false, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kDecideBreach, "decide-breach", false, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kManageSchools, "manage-schools", false, {}},
      {Action::kReadNotifications, "read-notifications", false, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kPrepareDraft, "prepare-draft", false, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kApproveDraft, "approve-draft", false, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kSendNotification, "send-notification", false, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kRecordReceipt, "record-receipt", false, {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kManageIncidents, "manage-incidents", false, {}},
      {Action::kGrantProviderAccess, "grant-provider-access", false,
       {kRoleSchoolHead, kRoleSchoolDpo}},
      {Action::kBreakGlass, "break-glass", false, {}},
      {Action::kEraseTenant, "erase-tenant", false, {}},
      {Action::kManageRetention, "manage-retention", false, {}},
      {Action::kRotateTenantKey, "rotate-tenant-key", false, {}},
  };
  return *rules;
}

// What an auditor may do: check integrity, never read a school's data or change anything.
bool AuditorMay(Action action) {
  return action == Action::kVerifyBreach || action == Action::kVerifyStore ||
         action == Action::kReadDeliveryStatus;
}

// The provider's roles that may take `action` (on every school). Granting access to a school's
// personal data is the school's decision alone (the provider is its processor); breaking the
// glass is the incident manager's alone.
std::vector<const char*> ProviderRoles(Action action) {
  if (action == Action::kGrantProviderAccess) return {};
  if (action == Action::kBreakGlass) return {kRoleProviderIncidentManager};
  return {kRoleProviderOperator, kRoleProviderIncidentManager};
}

const Rule* RuleFor(Action action) {
  for (const Rule& rule : Rules()) {
    if (rule.action == action) return &rule;
  }
  return nullptr;
}

absl::Status MissingRole(const Principal& principal, Action action) {
  std::vector<std::string> roles;
  for (const char* role : ProviderRoles(action)) roles.push_back(role);
  const Rule* rule = RuleFor(action);
  if (rule != nullptr) roles.insert(roles.end(), rule->school_roles.begin(), rule->school_roles.end());
  if (action == Action::kReadEventFeed) roles.push_back(kRoleService);
  if (AuditorMay(action)) roles.push_back(kRoleProviderAuditor);
  // "a, b or c"
  const std::string last = roles.back();
  roles.pop_back();
  const std::string needed = roles.empty() ? last : absl::StrCat(absl::StrJoin(roles, ", "), " or ", last);
  return absl::PermissionDeniedError(absl::StrCat(principal.subject, " may not ",
                                                  ActionName(action), ": it needs the role ",
                                                  needed));
}

}  // namespace

const char* ActionName(Action action) {
  const Rule* rule = RuleFor(action);
  return rule == nullptr ? "unknown" : rule->name;
}

absl::Status Authorize(const Principal& principal, Action action, const std::string& tenant) {
  const Rule* rule = RuleFor(action);
  if (rule == nullptr) return MissingRole(principal, action);
  if (principal.IsProvider()) {
    for (const char* role : ProviderRoles(action)) {
      if (principal.HasRole(role)) return absl::OkStatus();
    }
    // A service principal only reads stores to catch up; it never reads the register.
    if (principal.HasRole(kRoleService) && action == Action::kReadEventFeed) {
      return absl::OkStatus();
    }
    if (principal.HasRole(kRoleProviderAuditor) && AuditorMay(action)) return absl::OkStatus();
    return MissingRole(principal, action);
  }
  // A school principal asking for provider-wide data lacks a role; it is not trespassing.
  if (rule->provider_wide) return MissingRole(principal, action);
  if (tenant.empty() || tenant != principal.tenant) {
    return absl::PermissionDeniedError(absl::StrCat(
        principal.subject, " of ", principal.tenant, " may not access another school's data"));
  }
  for (const char* role : rule->school_roles) {
    if (principal.HasRole(role)) return absl::OkStatus();
  }
  return MissingRole(principal, action);
}

}  // namespace breachd::auth
