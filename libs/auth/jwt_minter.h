// Signs development tokens with a local private key (breachctl token mint, tests): the same
// claims an identity provider would put in (jwt_authenticator.h). Not for production tokens.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/auth/principal.h"

namespace breachd::auth {

struct TokenClaims {
  Principal principal;
  std::string issuer;
  std::string audience;
  absl::Time issued_at;
  absl::Time not_before;
  absl::Time expires;
  std::string kid;  // header "kid": which public key verifies it
};

// A JWT signed with `private_key_pem` (RSA: RS256, P-256 EC: ES256).
absl::StatusOr<std::string> MintToken(const TokenClaims& claims,
                                      const std::string& private_key_pem);

struct SigningKeyPair {
  std::string private_key_pem;
  std::string public_key_pem;
};

// A new key pair for `algorithm` (kRs256 or kEs256).
absl::StatusOr<SigningKeyPair> NewSigningKeyPair(const std::string& algorithm);

}  // namespace breachd::auth
