#include "libs/auth/identity_store.h"

#include <openssl/crypto.h>

#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "libs/common/ids.h"
#include "libs/common/status_macros.h"
#include "nlohmann/json.hpp"

namespace breachd::auth {
namespace {

using nlohmann::json;

absl::StatusOr<std::string> RequiredString(const json& object, const std::string& key,
                                           const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get<std::string>().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".", key, " is required"));
  }
  return it->get<std::string>();
}

bool SameToken(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

absl::StatusOr<IdentityStore> IdentityStore::Parse(const std::string& text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError("identity file is not a JSON object");
  }
  IdentityStore store;
  std::set<std::string> codes;
  const json tenants = doc.value("tenants", json::array());
  for (size_t i = 0; i < tenants.size(); ++i) {
    const std::string where = absl::StrCat("tenants[", i, "]");
    ASSIGN_OR_RETURN(std::string code, RequiredString(tenants[i], "code", where));
    if (code == kProviderTenant) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".code may not be 'provider'"));
    }
    if (!codes.insert(code).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".code is a duplicate: ", code));
    }
    store.tenants_.push_back({code, tenants[i].value("name", "")});
  }
  const json tokens = doc.value("tokens", json::array());
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string where = absl::StrCat("tokens[", i, "]");
    TokenGrant grant;
    ASSIGN_OR_RETURN(grant.token, RequiredString(tokens[i], "token", where));
    ASSIGN_OR_RETURN(grant.principal.subject, RequiredString(tokens[i], "subject", where));
    ASSIGN_OR_RETURN(grant.principal.tenant, RequiredString(tokens[i], "tenant", where));
    if (grant.principal.tenant != kProviderTenant && !codes.count(grant.principal.tenant)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".tenant is not a known tenant: ", grant.principal.tenant));
    }
    for (const json& role : tokens[i].value("roles", json::array())) {
      if (role.is_string()) grant.principal.roles.push_back(role.get<std::string>());
    }
    if (grant.principal.roles.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".roles is required"));
    }
    store.grants_.push_back(std::move(grant));
  }
  return store;
}

absl::StatusOr<IdentityStore> IdentityStore::Load(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat(
        "identity file not found: ", path,
        " (check --identity_file; --dev_identity creates a development one)"));
  }
  ASSIGN_OR_RETURN(const std::string text, ReadWholeFile(path));
  auto store = Parse(text);
  if (!store.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", store.status().message()));
  }
  store->path_ = path;
  return store;
}

namespace {

absl::Status WriteIdentityFile(const std::string& path, const std::string& contents) {
  return WriteFileAtomically(path, contents + "\n", 0600);
}

TokenGrant NewServiceGrant() {
  return {RandomHexToken(16), {"service:breachd", kProviderTenant, {kRoleService}}};
}

}  // namespace

absl::StatusOr<IdentityStore> IdentityStore::LoadOrCreateDevelopment(const std::string& path) {
  auto loaded = Load(path);
  if (loaded.ok() && !loaded->ServiceToken().ok()) {
    // A development file from before services caught up over gRPC: give them their token.
    loaded->grants_.push_back(NewServiceGrant());
    if (absl::Status written = WriteIdentityFile(path, loaded->ToJson()); !written.ok()) {
      return written;
    }
  }
  if (!absl::IsNotFound(loaded.status())) return loaded;

  IdentityStore store;
  store.tenants_.push_back({kDemoSchoolCode, "Istituto Amerigo Vespucci (demo)"});
  store.grants_.push_back(
      {RandomHexToken(16), {"user:ops-admin", kProviderTenant, {kRoleProviderOperator}}});
  store.grants_.push_back({RandomHexToken(16), {"user:dpo", kDemoSchoolCode, {kRoleSchoolDpo}}});
  store.grants_.push_back(
      {RandomHexToken(16), {"user:segreteria", kDemoSchoolCode, {kRoleSchoolStaff}}});
  // Appended after the first three, which the README's tour picks by position.
  store.grants_.push_back(
      {RandomHexToken(16), {"user:preside", kDemoSchoolCode, {kRoleSchoolHead}}});
  store.grants_.push_back({RandomHexToken(16), {"user:it", kDemoSchoolCode, {kRoleSchoolIt}}});
  store.grants_.push_back(NewServiceGrant());
  RETURN_IF_ERROR(WriteIdentityFile(path, store.ToJson()));
  store.created_ = true;
  store.path_ = path;
  return store;
}

absl::StatusOr<std::string> IdentityStore::ServiceToken() const {
  for (const TokenGrant& grant : grants_) {
    if (grant.principal.IsProvider() && grant.principal.HasRole(kRoleService)) return grant.token;
  }
  return absl::NotFoundError(
      "the identity file has no service token (a provider token with role \"service\"); "
      "services need one to catch up from each other's stores");
}

void IdentityStore::UseAuthenticator(std::shared_ptr<const Authenticator> authenticator) {
  signed_tokens_ = std::move(authenticator);
}

absl::StatusOr<Principal> IdentityStore::Authenticate(const std::string& bearer_token) const {
  if (signed_tokens_) {
    ASSIGN_OR_RETURN(Principal principal, signed_tokens_->Authenticate(bearer_token));
    if (principal.tenant != kProviderTenant && !IsKnownTenant(principal.tenant)) {
      return absl::UnauthenticatedError(absl::StrCat(
          "bearer token refused: tenant ", principal.tenant, " is not a known school"));
    }
    return principal;
  }
  if (!bearer_token.empty()) {
    for (const TokenGrant& grant : grants_) {
      if (SameToken(grant.token, bearer_token)) return grant.principal;
    }
  }
  return absl::UnauthenticatedError("missing or unknown bearer token");
}

bool IdentityStore::IsKnownTenant(const std::string& code) const {
  for (const Tenant& tenant : tenants_) {
    if (tenant.code == code) return true;
  }
  return false;
}

std::string IdentityStore::ToJson() const {
  json doc;
  doc["tenants"] = json::array();
  for (const Tenant& tenant : tenants_) {
    doc["tenants"].push_back({{"code", tenant.code}, {"name", tenant.name}});
  }
  doc["tokens"] = json::array();
  for (const TokenGrant& grant : grants_) {
    doc["tokens"].push_back({{"token", grant.token},
                             {"subject", grant.principal.subject},
                             {"tenant", grant.principal.tenant},
                             {"roles", grant.principal.roles}});
  }
  return doc.dump(2);
}

}  // namespace breachd::auth
