#include "libs/auth/verification_keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <filesystem>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "libs/common/openssl_ptr.h"
#include "libs/common/status_macros.h"
#include "nlohmann/json.hpp"

namespace breachd::auth {
namespace {

using nlohmann::json;

using openssl::BioContents;
using openssl::BioPtr;
using openssl::BnPtr;
using openssl::PkeyCtxPtr;
using openssl::PkeyPtr;
using ParamBuildPtr =
    std::unique_ptr<OSSL_PARAM_BLD, openssl::Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, openssl::Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

absl::StatusOr<std::string> Base64UrlMember(const json& jwk, const std::string& name,
                                            const std::string& where) {
  auto it = jwk.find(name);
  std::string bytes;
  if (it == jwk.end() || !it->is_string() ||
      !absl::WebSafeBase64Unescape(it->get<std::string>(), &bytes) || bytes.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".", name, " is not base64url"));
  }
  return bytes;
}

absl::StatusOr<std::string> PublicKeyPem(OSSL_PARAM_BLD* build, const char* type,
                                         const std::string& where) {
  ParamsPtr params(OSSL_PARAM_BLD_to_param(build));
  PkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(where, " is not a valid ", type, " key"));
  }
  PkeyPtr key(raw);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
    return absl::InternalError("OpenSSL: cannot write a public key");
  }
  return BioContents(bio.get());
}

absl::StatusOr<std::string> RsaJwkToPem(const json& jwk, const std::string& where) {
  ASSIGN_OR_RETURN(const std::string n, Base64UrlMember(jwk, "n", where));
  ASSIGN_OR_RETURN(const std::string e, Base64UrlMember(jwk, "e", where));
  auto bytes = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  BnPtr modulus(BN_bin2bn(bytes(n), static_cast<int>(n.size()), nullptr));
  BnPtr exponent(BN_bin2bn(bytes(e), static_cast<int>(e.size()), nullptr));
  ParamBuildPtr build(OSSL_PARAM_BLD_new());
  if (!modulus || !exponent || !build ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return absl::InternalError("OpenSSL: cannot build an RSA key");
  }
  return PublicKeyPem(build.get(), "RSA", where);
}

absl::StatusOr<std::string> EcJwkToPem(const json& jwk, const std::string& where) {
  if (jwk.value("crv", "") != "P-256") {
    return absl::InvalidArgumentError(absl::StrCat(where, ".crv must be P-256 (ES256)"));
  }
  ASSIGN_OR_RETURN(const std::string x, Base64UrlMember(jwk, "x", where));
  ASSIGN_OR_RETURN(const std::string y, Base64UrlMember(jwk, "y", where));
  if (x.size() != 32 || y.size() != 32) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".x and .y must be 32 bytes each"));
  }
  const std::string point = std::string(1, '\x04') + x + y;  // uncompressed
  ParamBuildPtr build(OSSL_PARAM_BLD_new());
  if (!build ||
      OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return absl::InternalError("OpenSSL: cannot build an EC key");
  }
  return PublicKeyPem(build.get(), "EC", where);
}

}  // namespace

absl::StatusOr<std::vector<VerificationKey>> ParseJwks(const std::string& text) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") ||
      !doc["keys"].is_array()) {
    return absl::InvalidArgumentError("not a JWKS: expected {\"keys\": [...]}");
  }
  std::vector<VerificationKey> keys;
  for (size_t i = 0; i < doc["keys"].size(); ++i) {
    const json& jwk = doc["keys"][i];
    const std::string where = absl::StrCat("keys[", i, "]");
    if (!jwk.is_object()) return absl::InvalidArgumentError(where + " is not an object");
    if (jwk.value("use", "sig") != "sig") continue;
    VerificationKey key;
    key.kid = jwk.value("kid", "");
    const std::string type = jwk.value("kty", "");
    if (type == "RSA") {
      key.algorithm = kRs256;
      ASSIGN_OR_RETURN(key.public_key_pem, RsaJwkToPem(jwk, where));
    } else if (type == "EC") {
      key.algorithm = kEs256;
      ASSIGN_OR_RETURN(key.public_key_pem, EcJwkToPem(jwk, where));
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".kty '", type, "' is not RSA or EC (symmetric keys are refused)"));
    }
    if (jwk.contains("alg") && jwk.value("alg", "") != key.algorithm) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".alg must be ", key.algorithm, " for a ", type, " key"));
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

absl::StatusOr<std::string> AlgorithmOfPublicKey(const std::string& pem) {
  BioPtr bio = openssl::ReadBio(pem);
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return absl::InvalidArgumentError("not a PEM public key");
  if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA) return std::string(kRs256);
  if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_EC) return std::string(kEs256);
  return absl::InvalidArgumentError("the key is neither RSA nor EC");
}

namespace {

std::string Base64Url(const unsigned char* data, size_t size) {
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(data), size));
}

std::string BignumBase64Url(const BIGNUM* number) {
  std::string bytes(static_cast<size_t>(BN_num_bytes(number)), '\0');
  BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
  return Base64Url(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

}  // namespace

absl::StatusOr<std::string> PublicKeyToJwk(const std::string& pem, const std::string& kid) {
  ASSIGN_OR_RETURN(const std::string algorithm, AlgorithmOfPublicKey(pem));
  BioPtr bio = openssl::ReadBio(pem);
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  json jwk = {{"kid", kid}, {"use", "sig"}, {"alg", algorithm}};
  if (algorithm == kRs256) {
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    const bool ok = EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
                    EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e) == 1;
    BnPtr modulus(n), exponent(e);
    if (!ok) return absl::InternalError("OpenSSL: cannot read an RSA key");
    jwk["kty"] = "RSA";
    jwk["n"] = BignumBase64Url(modulus.get());
    jwk["e"] = BignumBase64Url(exponent.get());
  } else {
    unsigned char point[65];
    size_t size = 0;
    if (EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point),
                                        &size) != 1 ||
        size != sizeof(point) || point[0] != 0x04) {
      return absl::InvalidArgumentError("the EC key is not an uncompressed P-256 point");
    }
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = Base64Url(point + 1, 32);
    jwk["y"] = Base64Url(point + 33, 32);
  }
  return jwk.dump();
}

absl::StatusOr<std::vector<VerificationKey>> LoadVerificationKeys(const std::string& path) {
  std::vector<VerificationKey> keys;
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
      if (entry.path().extension() != ".pem") continue;
      const std::string file = entry.path().string();
      ASSIGN_OR_RETURN(std::string pem, ReadWholeFile(file));
      absl::StatusOr<std::string> algorithm = AlgorithmOfPublicKey(pem);
      if (!algorithm.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(file, ": ", algorithm.status().message()));
      }
      keys.push_back({entry.path().stem().string(), *algorithm, std::move(pem)});
    }
  } else {
    ASSIGN_OR_RETURN(const std::string text, ReadWholeFile(path));
    absl::StatusOr<std::vector<VerificationKey>> parsed = ParseJwks(text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", parsed.status().message()));
    }
    keys = *std::move(parsed);
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": no RS256 or ES256 signing key"));
  }
  return keys;
}

}  // namespace breachd::auth
