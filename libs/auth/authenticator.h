// Who is calling: turns a bearer token into a principal. Two implementations: the development
// identity file (identity_store.h: static tokens) and signed JWTs (jwt_authenticator.h).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "libs/auth/principal.h"

namespace breachd::auth {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The token's principal, or UNAUTHENTICATED saying why (missing, unknown, expired, ...).
  virtual absl::StatusOr<Principal> Authenticate(const std::string& bearer_token) const = 0;
};

}  // namespace breachd::auth
