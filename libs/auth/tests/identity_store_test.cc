#include "libs/auth/identity_store.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::auth {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kIdentity[] = R"({
  "tenants": [{"code": "MIIS01200V", "name": "Vespucci"}, {"code": "RMIC81500L"}],
  "tokens": [
    {"token": "op-token", "subject": "user:ops", "tenant": "provider", "roles": ["provider-operator"]},
    {"token": "dpo-token", "subject": "user:dpo", "tenant": "MIIS01200V", "roles": ["school-dpo"]}
  ]})";

TEST(IdentityStoreTest, AuthenticatesKnownTokensOnly) {
  ASSERT_OK_AND_ASSIGN(IdentityStore store, IdentityStore::Parse(kIdentity));
  ASSERT_OK_AND_ASSIGN(Principal dpo, store.Authenticate("dpo-token"));
  EXPECT_EQ(dpo.tenant, "MIIS01200V");
  EXPECT_TRUE(dpo.HasRole(kRoleSchoolDpo));
  EXPECT_THAT(store.Authenticate("dpo-token-x"), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(store.Authenticate(""), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_TRUE(store.IsKnownTenant("RMIC81500L"));
  EXPECT_FALSE(store.IsKnownTenant("provider"));
}

TEST(IdentityStoreTest, RejectsBadFilesNamingTheEntry) {
  EXPECT_THAT(IdentityStore::Parse("[]"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(IdentityStore::Parse(R"({"tenants":[{"name":"x"}]})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tenants[0].code")));
  EXPECT_THAT(IdentityStore::Parse(
                  R"({"tenants":[],"tokens":[{"token":"t","subject":"s","tenant":"XX","roles":["r"]}]})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tokens[0].tenant")));
  EXPECT_THAT(IdentityStore::Parse(
                  R"({"tokens":[{"token":"t","subject":"s","tenant":"provider"}]})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tokens[0].roles")));
}

TEST(IdentityStoreTest, DevelopmentIdentityIsCreatedOnceThenReloaded) {
  const breachd::testing::ScratchDir scratch("identity_test");
  const auto dir = std::filesystem::path(scratch.path());
  const std::string path = (dir / "identity.json").string();
  ASSERT_OK_AND_ASSIGN(IdentityStore first, IdentityStore::LoadOrCreateDevelopment(path));
  ASSERT_OK_AND_ASSIGN(IdentityStore second, IdentityStore::LoadOrCreateDevelopment(path));
  EXPECT_TRUE(first.created());
  EXPECT_FALSE(second.created());
  ASSERT_EQ(first.grants().size(), second.grants().size());
  EXPECT_EQ(first.grants()[0].token, second.grants()[0].token);
  EXPECT_TRUE(second.IsKnownTenant(kDemoSchoolCode));
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);
}

TEST(IdentityStoreTest, MissingFileIsAnErrorNamingThePathOutsideDevelopmentMode) {
  const breachd::testing::ScratchDir scratch("identity_test");
  const std::string path = (std::filesystem::path(scratch.path()) / "identiti.json").string();
  EXPECT_THAT(IdentityStore::Load(path),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(path)));
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace breachd::auth
