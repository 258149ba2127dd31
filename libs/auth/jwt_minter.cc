#include "libs/auth/jwt_minter.h"

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "libs/auth/jwt_authenticator.h"
#include "libs/auth/verification_keys.h"
#include "libs/common/openssl_ptr.h"
#include "libs/common/status_macros.h"
#include "nlohmann/json.hpp"

namespace breachd::auth {
namespace {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using openssl::BioContents;
using openssl::BioPtr;
using openssl::PkeyPtr;

absl::StatusOr<jwt_alg_t> AlgorithmOfPrivateKey(const std::string& pem) {
  BioPtr bio = openssl::ReadBio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return absl::InvalidArgumentError("not a PEM private key");
  if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA) return JWT_ALG_RS256;
  if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_EC) return JWT_ALG_ES256;
  return absl::InvalidArgumentError("the signing key is neither RSA nor P-256 EC");
}

}  // namespace

absl::StatusOr<std::string> MintToken(const TokenClaims& claims,
                                      const std::string& private_key_pem) {
  ASSIGN_OR_RETURN(const jwt_alg_t algorithm, AlgorithmOfPrivateKey(private_key_pem));
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("libjwt: cannot make a token");
  std::unique_ptr<jwt_t, JwtFree> jwt(raw);
  const nlohmann::json grants = {{"sub", claims.principal.subject},
                                 {"iss", claims.issuer},
                                 {"aud", claims.audience},
                                 {kTenantClaim, claims.principal.tenant},
                                 {kRolesClaim, claims.principal.roles},
                                 {"iat", absl::ToUnixSeconds(claims.issued_at)},
                                 {"nbf", absl::ToUnixSeconds(claims.not_before)},
                                 {"exp", absl::ToUnixSeconds(claims.expires)}};
  bool ok = jwt_add_grants_json(jwt.get(), grants.dump().c_str()) == 0;
  if (ok && !claims.kid.empty()) ok = jwt_add_header(jwt.get(), "kid", claims.kid.c_str()) == 0;
  ok = ok && jwt_set_alg(jwt.get(), algorithm,
                         reinterpret_cast<const unsigned char*>(private_key_pem.data()),
                         static_cast<int>(private_key_pem.size())) == 0;
  char* encoded = ok ? jwt_encode_str(jwt.get()) : nullptr;
  if (encoded == nullptr) return absl::InternalError("libjwt: cannot sign the token");
  std::string token(encoded);
  std::free(encoded);
  return token;
}

absl::StatusOr<SigningKeyPair> NewSigningKeyPair(const std::string& algorithm) {
  PkeyPtr key;
  if (algorithm == kEs256) {
    key.reset(EVP_EC_gen("P-256"));
  } else if (algorithm == kRs256) {
    key.reset(EVP_RSA_gen(2048));
  } else {
    return absl::InvalidArgumentError(absl::StrCat("algorithm ", algorithm, " is not RS256 or ES256"));
  }
  BioPtr private_bio(BIO_new(BIO_s_mem()));
  BioPtr public_bio(BIO_new(BIO_s_mem()));
  if (!key ||
      PEM_write_bio_PrivateKey(private_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1 ||
      PEM_write_bio_PUBKEY(public_bio.get(), key.get()) != 1) {
    return absl::InternalError("OpenSSL: cannot make a signing key");
  }
  return SigningKeyPair{BioContents(private_bio.get()), BioContents(public_bio.get())};
}

}  // namespace breachd::auth
