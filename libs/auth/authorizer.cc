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
    case Action::kManageParked:
      return false;
  }
  return false;
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
    case Action::kManageParked: return "manage-parked";
  }
  return "unknown";
}

absl::Status Authorize(const Principal& principal, Action action, const std::string& tenant) {
  if (principal.IsProvider()) {
    if (principal.HasRole(kRoleProviderOperator)) return absl::OkStatus();
    return absl::PermissionDeniedError(
        absl::StrCat(principal.subject, " has no provider role for ", ActionName(action)));
  }
  if (tenant.empty() || tenant != principal.tenant) {
    return absl::PermissionDeniedError(absl::StrCat(
        principal.subject, " of ", principal.tenant, " may not access another school's data"));
  }
  if (!SchoolRoleAllows(principal, action)) {
    return absl::PermissionDeniedError(absl::StrCat(principal.subject, "'s roles do not allow ",
                                                    ActionName(action)));
  }
  return absl::OkStatus();
}

}  // namespace breachd::auth
