#include "libs/auth/authorizer.h"

#include "absl/strings/str_cat.h"

namespace breachd::auth {
namespace {

// Which school roles may take each action on their own school's data.
bool SchoolRoleAllows(const Principal& principal, Action action) {
  switch (action) {
    case Action::kReportBreach:
    case Action::kReadReport:
      return principal.HasRole(kRoleSchoolDpo) || principal.HasRole(kRoleSchoolStaff);
    case Action::kReadRegister:
    case Action::kVerifyBreach:
      return principal.HasRole(kRoleSchoolDpo);
    case Action::kVerifyStore:
    case Action::kListAllTenants:
    case Action::kReadEventFeed:
    case Action::kReadDeliveryStatus:
    case Action::kManageParked:
      return false;
  }
  return false;
}

// The roles that allow `action`, for a refusal that says what is missing.
const char* RolesNeeded(Action action) {
  switch (action) {
    case Action::kReportBreach:
    case Action::kReadReport:
      return "provider-operator, school-dpo or school-staff";
    case Action::kReadRegister:
    case Action::kVerifyBreach:
      return "provider-operator or school-dpo";
    case Action::kVerifyStore:
    case Action::kListAllTenants:
    case Action::kReadDeliveryStatus:
    case Action::kManageParked:
      return "provider-operator";
    case Action::kReadEventFeed:
      return "provider-operator or service";
  }
  return "provider-operator";
}

absl::Status MissingRole(const Principal& principal, Action action) {
  return absl::PermissionDeniedError(absl::StrCat(principal.subject, " may not ",
                                                  ActionName(action), ": it needs the role ",
                                                  RolesNeeded(action)));
}

// Actions on the whole provider's data rather than one school's.
bool IsProviderWide(Action action) {
  return action == Action::kVerifyStore || action == Action::kListAllTenants ||
         action == Action::kReadEventFeed || action == Action::kReadDeliveryStatus;
}

}  // namespace

const char* ActionName(Action action) {
  switch (action) {
    case Action::kReportBreach: return "report-breach";
    case Action::kReadReport: return "read-report";
    case Action::kReadRegister: return "read-register";
    case Action::kVerifyBreach: return "verify-breach";
    case Action::kVerifyStore: return "verify-store";
    case Action::kListAllTenants: return "list-all-tenants";
    case Action::kReadEventFeed: return "read-event-feed";
    case Action::kReadDeliveryStatus: return "read-delivery-status";
    case Action::kManageParked: return "manage-parked";
  }
  return "unknown";
}

absl::Status Authorize(const Principal& principal, Action action, const std::string& tenant) {
  if (principal.IsProvider()) {
    if (principal.HasRole(kRoleProviderOperator)) return absl::OkStatus();
    // A service principal only reads stores to catch up; it never reads the register.
    if (principal.HasRole(kRoleService) && action == Action::kReadEventFeed) {
      return absl::OkStatus();
    }
    return MissingRole(principal, action);
  }
  // A school principal asking for provider-wide data lacks a role; it is not trespassing.
  if (IsProviderWide(action)) return MissingRole(principal, action);
  if (tenant.empty() || tenant != principal.tenant) {
    return absl::PermissionDeniedError(absl::StrCat(
        principal.subject, " of ", principal.tenant, " may not access another school's data"));
  }
  if (!SchoolRoleAllows(principal, action)) return MissingRole(principal, action);
  return absl::OkStatus();
}

}  // namespace breachd::auth
