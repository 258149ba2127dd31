#include "libs/auth/jwt_authenticator.h"

#include <jwt.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <memory>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "nlohmann/json.hpp"

namespace breachd::auth {
namespace {

using nlohmann::json;

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

absl::Status Refused(const std::string& why) {
  return absl::UnauthenticatedError(absl::StrCat("bearer token refused: ", why));
}

// libjwt decodes the header and claims without verifying when given no key: only to learn the
// algorithm and key id, never to trust a claim.
absl::StatusOr<JwtPtr> DecodeUnverified(const std::string& token) {
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), nullptr, 0) != 0 || raw == nullptr) {
    return Refused("not a well-formed JWT");
  }
  return JwtPtr(raw);
}

// A claim as JSON (a string, an array, ...); null when absent.
json ClaimJson(jwt_t* jwt, const char* name) {
  char* text = jwt_get_grants_json(jwt, name);
  if (text == nullptr) return nullptr;
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::free(text);
  return value.is_discarded() ? json(nullptr) : value;
}

// A numeric date claim (seconds since the epoch); nullopt when absent.
std::optional<absl::Time> TimeClaim(jwt_t* jwt, const char* name) {
  errno = 0;
  const long seconds = jwt_get_grant_int(jwt, name);
  if (errno != 0) return std::nullopt;
  return absl::FromUnixSeconds(seconds);
}

bool AudienceMatches(const json& audience, const std::string& expected) {
  if (audience.is_string()) return audience.get<std::string>() == expected;
  if (!audience.is_array()) return false;
  for (const json& entry : audience) {
    if (entry.is_string() && entry.get<std::string>() == expected) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<JwtAuthenticator> JwtAuthenticator::Create(std::vector<VerificationKey> keys,
                                                          JwtPolicy policy,
                                                          const Clock& clock) {
  if (policy.issuer.empty() || policy.audience.empty()) {
    return absl::InvalidArgumentError("signed tokens need an issuer (--jwt_issuer) and an "
                                      "audience (--jwt_audience)");
  }
  if (keys.empty()) return absl::InvalidArgumentError("signed tokens need at least one key");
  return JwtAuthenticator(std::move(keys), std::move(policy), clock);
}

absl::StatusOr<JwtAuthenticator> JwtAuthenticator::Load(const std::string& keys_path,
                                                        JwtPolicy policy, const Clock& clock) {
  ASSIGN_OR_RETURN(std::vector<VerificationKey> keys, LoadVerificationKeys(keys_path));
  return Create(std::move(keys), std::move(policy), clock);
}

absl::StatusOr<Principal> JwtAuthenticator::Authenticate(const std::string& token) const {
  if (token.empty()) return Refused("missing");
  ASSIGN_OR_RETURN(JwtPtr unverified, DecodeUnverified(token));
  // Without a key libjwt reports alg none: read the header's own "alg".
  const char* alg_header = jwt_get_header(unverified.get(), "alg");
  const std::string algorithm_name = alg_header != nullptr ? alg_header : "";
  const jwt_alg_t algorithm = jwt_str_alg(algorithm_name.c_str());
  if (algorithm != JWT_ALG_RS256 && algorithm != JWT_ALG_ES256) {
    return Refused(absl::StrCat("alg ", algorithm_name, " is not accepted (RS256, ES256)"));
  }
  const char* kid_header = jwt_get_header(unverified.get(), "kid");
  const std::string kid = kid_header != nullptr ? kid_header : "";

  JwtPtr verified;
  bool any_key = false;
  for (const VerificationKey& key : keys_) {
    if (key.algorithm != algorithm_name || (!kid.empty() && key.kid != kid)) continue;
    any_key = true;
    jwt_t* raw = nullptr;
    if (jwt_decode(&raw, token.c_str(),
                   reinterpret_cast<const unsigned char*>(key.public_key_pem.data()),
                   static_cast<int>(key.public_key_pem.size())) == 0 &&
        raw != nullptr) {
      verified.reset(raw);
      break;
    }
  }
  if (!any_key) return Refused(absl::StrCat("no ", algorithm_name, " key with kid '", kid, "'"));
  if (!verified || jwt_get_alg(verified.get()) != algorithm) {
    return Refused("the signature does not verify");
  }

  jwt_t* claims = verified.get();
  const char* issuer = jwt_get_grant(claims, "iss");
  if (issuer == nullptr || policy_.issuer != issuer) {
    return Refused(absl::StrCat("iss '", issuer ? issuer : "", "' is not ", policy_.issuer));
  }
  if (!AudienceMatches(ClaimJson(claims, "aud"), policy_.audience)) {
    return Refused(absl::StrCat("aud does not include ", policy_.audience));
  }
  const absl::Time now = clock_->Now();
  const std::optional<absl::Time> expires = TimeClaim(claims, "exp");
  if (!expires) return Refused("exp is required");
  if (now - policy_.clock_skew >= *expires) {
    return Refused(absl::StrCat("expired at ", absl::FormatTime(*expires)));
  }
  if (const std::optional<absl::Time> not_before = TimeClaim(claims, "nbf");
      not_before && now + policy_.clock_skew < *not_before) {
    return Refused(absl::StrCat("not valid before ", absl::FormatTime(*not_before)));
  }

  Principal principal;
  const char* subject = jwt_get_grant(claims, "sub");
  const char* tenant = jwt_get_grant(claims, kTenantClaim);
  if (subject == nullptr || *subject == '\0') return Refused("sub is required");
  if (tenant == nullptr || *tenant == '\0') return Refused("tenant is required");
  principal.subject = subject;
  principal.tenant = tenant;
  const json roles = ClaimJson(claims, kRolesClaim);
  if (roles.is_array()) {
    for (const json& role : roles) {
      if (role.is_string()) principal.roles.push_back(role.get<std::string>());
    }
  }
  if (principal.roles.empty()) return Refused("roles is required (an array of strings)");
  return principal;
}

}  // namespace breachd::auth
