// Known tenants and bearer tokens, from an identity file (JSON):
//   {"tenants": [{"code": "MIIS01200V", "name": "Ist. Amerigo Vespucci"}],
//    "tokens":  [{"token": "...", "subject": "user:dpo", "tenant": "MIIS01200V",
//                 "roles": ["school-dpo"]}]}
// Development mode (breachd --dev_identity): on first start breachd writes one with a provider
// operator, one demo school and a service token. Without it a missing file is an error (a
// mistyped path must not mint a new operator token). Tokens are compared in constant time.
// With signed tokens (jwt_authenticator.h) the file's tokens are not used; its tenants are.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/auth/authenticator.h"
#include "libs/auth/principal.h"

namespace breachd::auth {

struct Tenant {
  std::string code;
  std::string name;
};

struct TokenGrant {
  std::string token;
  Principal principal;
};

class IdentityStore final : public Authenticator {
 public:
  // Parses an identity file's contents. INVALID_ARGUMENT names the bad entry.
  static absl::StatusOr<IdentityStore> Parse(const std::string& json);
  // Reads `path`; NOT_FOUND if it does not exist.
  static absl::StatusOr<IdentityStore> Load(const std::string& path);
  // Loads `path`, or creates it (mode 0600) with a development provider operator, a demo
  // school (with its DPO and a staff member) and a service token when it does not exist yet.
  // A file without a service token gets one added.
  static absl::StatusOr<IdentityStore> LoadOrCreateDevelopment(const std::string& path);

  // UNAUTHENTICATED if the token is unknown (or refused by the signed-token authenticator).
  absl::StatusOr<Principal> Authenticate(const std::string& bearer_token) const override;
  // From now on tokens are checked by `authenticator` (signed tokens: jwt_authenticator.h)
  // instead of this file's token list; the principal's tenant must still be "provider" or one
  // of this file's tenants.
  void UseAuthenticator(std::shared_ptr<const Authenticator> authenticator);
  bool IsKnownTenant(const std::string& code) const;
  // The token services present to each other (role "service"); NOT_FOUND if there is none.
  absl::StatusOr<std::string> ServiceToken() const;
  const std::vector<Tenant>& tenants() const { return tenants_; }
  const std::vector<TokenGrant>& grants() const { return grants_; }
  // True when LoadOrCreateDevelopment made the file in this call: the one start that shows its
  // tokens (later starts point to the file; a token printed at every start ends up in logs).
  bool created() const { return created_; }
  // The file it was loaded from or made in ("" when parsed from a string).
  const std::string& path() const { return path_; }

  std::string ToJson() const;

 private:
  bool created_ = false;
  std::string path_;
  std::vector<Tenant> tenants_;
  std::vector<TokenGrant> grants_;
  std::shared_ptr<const Authenticator> signed_tokens_;
};

// The demo school created in development mode.
inline constexpr char kDemoSchoolCode[] = "MIIS01200V";

}  // namespace breachd::auth
