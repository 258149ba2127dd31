// The role x RPC x tenant matrix: for every RPC of every service (intake, assessment,
// notification, register, admin, feed) and every role, whether a caller of that role may make it
// on its own school, on another school, and provider-wide. The table (role_matrix.h) is the
// contract (docs/security.md, "Roles"); the test checks the authorizer decides exactly so, and that every
// RPC in the protos has a row, so a new RPC cannot ship without deciding who may call it.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "breach/v1/access.pb.h"
#include "breach/v1/admin.pb.h"
#include "breach/v1/assessment_service.pb.h"
#include "breach/v1/directory.pb.h"
#include "breach/v1/feed.pb.h"
#include "breach/v1/incident.pb.h"
#include "breach/v1/intake.pb.h"
#include "breach/v1/notification.pb.h"
#include "breach/v1/register.pb.h"
#include "breach/v1/tenant.pb.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "libs/auth/authorizer.h"
#include "libs/auth/principal.h"
#include "libs/auth/tests/role_matrix.h"

namespace breachd::auth {
namespace {

using namespace matrix;  // NOLINT: the table

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
        breach::v1::ListBreachesRequest::descriptor()->file(),
        breach::v1::ImportSchoolsRequest::descriptor()->file(),
        breach::v1::CreateIncidentRequest::descriptor()->file(),
        breach::v1::BreakGlassRequest::descriptor()->file(),
        breach::v1::EraseTenantRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        rpcs.insert(absl::StrCat(service->name(), "/", service->method(m)->name()));
      }
    }
  }
  EXPECT_EQ(rows, rpcs);
  EXPECT_EQ(rpcs.size(), 50u);  // in 10 services
}

}  // namespace
}  // namespace breachd::auth
