// The authenticated caller of an RPC: who, for which tenant, with which roles.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace breachd::auth {

// The tenant of the provider's own staff; every other tenant is a school code.
inline constexpr char kProviderTenant[] = "provider";

// Roles. A principal may hold several. The school roles are those of the school's breach
// procedure (seed 002): the controller (the head teacher), its DPO, its IT manager and staff.
inline constexpr char kRoleProviderOperator[] = "provider-operator";
// The provider's staff who handle an incident of the platform: the operator's rights, plus
// break-glass access to a school's personal data (time-limited, reasoned, recorded).
inline constexpr char kRoleProviderIncidentManager[] = "provider-incident-manager";
inline constexpr char kRoleSchoolHead[] = "school-head";
inline constexpr char kRoleSchoolDpo[] = "school-dpo";
inline constexpr char kRoleSchoolIt[] = "school-it";
inline constexpr char kRoleSchoolStaff[] = "school-staff";
// The provider's (or a third party's) integrity auditor: verifies chains and signed checkpoints
// and reads delivery status, read-only, and never reads a school's data.
inline constexpr char kRoleProviderAuditor[] = "provider-auditor";
// Another breachd process (or a service of this one) reading a store to catch up.
inline constexpr char kRoleService[] = "service";

struct Principal {
  std::string subject;  // e.g. "user:ops-admin"
  std::string tenant;   // school code or "provider"
  std::vector<std::string> roles;

  bool HasRole(const std::string& role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
  }
  bool IsProvider() const { return tenant == kProviderTenant; }
  // The first role, for the envelope's actor.role.
  std::string PrimaryRole() const { return roles.empty() ? "" : roles.front(); }
};

}  // namespace breachd::auth
