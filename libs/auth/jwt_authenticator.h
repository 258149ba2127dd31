// Signed bearer tokens (JWT, RS256 or ES256) from an identity provider, verified with libjwt
// against keys saved offline (verification_keys.h). A token is accepted when its signature
// verifies with a key of its "kid" (any key of its algorithm when it names none), "iss" and
// "aud" are the configured ones, "exp" is in the future and "nbf" (if any) in the past, both
// with a clock-skew allowance. "alg": "none", HS256/384/512 and every other algorithm are
// refused before any key is tried. Claims: "sub" -> subject, "tenant" -> tenant (a school
// code or "provider"), "roles" (array of strings) -> roles. See docs/security.md.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/auth/authenticator.h"
#include "libs/auth/verification_keys.h"
#include "libs/common/clock.h"

namespace breachd::auth {

// Claim names, documented in docs/security.md.
inline constexpr char kTenantClaim[] = "tenant";
inline constexpr char kRolesClaim[] = "roles";

struct JwtPolicy {
  std::string issuer;    // required "iss"
  std::string audience;  // required in "aud" (a string or an array of strings)
  absl::Duration clock_skew = absl::Seconds(60);
};

class JwtAuthenticator final : public Authenticator {
 public:
  // INVALID_ARGUMENT when the policy lacks an issuer or audience, or there is no key.
  static absl::StatusOr<JwtAuthenticator> Create(std::vector<VerificationKey> keys,
                                                 JwtPolicy policy, const Clock& clock);

  // Create() with the keys of `keys_path` (verification_keys.h: a JWKS file or a folder).
  static absl::StatusOr<JwtAuthenticator> Load(const std::string& keys_path, JwtPolicy policy,
                                               const Clock& clock);

  absl::StatusOr<Principal> Authenticate(const std::string& bearer_token) const override;

 private:
  JwtAuthenticator(std::vector<VerificationKey> keys, JwtPolicy policy, const Clock& clock)
      : keys_(std::move(keys)), policy_(std::move(policy)), clock_(&clock) {}

  std::vector<VerificationKey> keys_;
  JwtPolicy policy_;
  const Clock* clock_;
};

}  // namespace breachd::auth
