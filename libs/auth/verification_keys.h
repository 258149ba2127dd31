// The public keys that verify signed tokens, saved offline from an identity provider: a JWKS
// file (RSA and P-256 EC keys; each JWK is turned into PEM with OpenSSL) or a folder of PEM
// public keys, each file's name without ".pem" being its key id (kid).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace breachd::auth {

// The signature algorithms breachd accepts; anything else (none, HS256, ...) is refused.
inline constexpr char kRs256[] = "RS256";
inline constexpr char kEs256[] = "ES256";

struct VerificationKey {
  std::string kid;
  std::string algorithm;       // kRs256 for an RSA key, kEs256 for a P-256 key
  std::string public_key_pem;  // SubjectPublicKeyInfo
};

// The JWKS (JSON) text's keys. INVALID_ARGUMENT names a bad entry; keys with "use" other than
// "sig" are skipped.
absl::StatusOr<std::vector<VerificationKey>> ParseJwks(const std::string& json);

// A PEM public key's algorithm (kRs256 or kEs256); INVALID_ARGUMENT for another key type.
absl::StatusOr<std::string> AlgorithmOfPublicKey(const std::string& public_key_pem);

// The JWK (RFC 7517, as JSON text) of a PEM public key, with `kid`: what an identity provider
// publishes, for development keys and tests.
absl::StatusOr<std::string> PublicKeyToJwk(const std::string& public_key_pem,
                                           const std::string& kid);

// `path` is a JWKS file or a folder of *.pem public keys. INVALID_ARGUMENT names the bad file;
// a set without keys is an error too.
absl::StatusOr<std::vector<VerificationKey>> LoadVerificationKeys(const std::string& path);

}  // namespace breachd::auth
