#include "libs/eventstore/signing_key.h"

#include <sodium.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "libs/common/status_macros.h"

namespace breachd::eventstore {
namespace {

void InitSodium() {
  // sodium_init is idempotent and thread-safe; it fails only without an entropy source.
  if (sodium_init() < 0) std::abort();
}

const unsigned char* Bytes(std::string_view bytes) {
  return reinterpret_cast<const unsigned char*>(bytes.data());
}

// 32 bytes from exactly 64 hex digits, or nullopt.
std::optional<std::string> Hex32(std::string_view text) {
  const absl::string_view digits =
      absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size()));
  if (digits.size() != 64) return std::nullopt;
  for (char c : digits) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return absl::HexStringToBytes(digits);
}

}  // namespace

absl::StatusOr<SigningKey> SigningKey::FromSeed(std::string_view seed) {
  if (seed.size() != crypto_sign_SEEDBYTES) {
    return absl::InvalidArgumentError("an Ed25519 seed is 32 bytes");
  }
  InitSodium();
  SigningKey key;
  key.seed_ = std::string(seed);
  key.public_key_.resize(crypto_sign_PUBLICKEYBYTES);
  key.secret_key_.resize(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(key.public_key_.data()),
                           reinterpret_cast<unsigned char*>(key.secret_key_.data()), Bytes(seed));
  return key;
}

SigningKey SigningKey::Generate() {
  InitSodium();
  std::string seed(crypto_sign_SEEDBYTES, '\0');
  randombytes_buf(seed.data(), seed.size());
  return *FromSeed(seed);
}

absl::StatusOr<SigningKey> SigningKey::Load(const std::string& path) {
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return absl::NotFoundError(absl::StrCat("signing key file not found: ", path));
  std::optional<std::string> seed = Hex32(*text);
  if (!seed) {
    return absl::InvalidArgumentError(
        absl::StrCat("signing key file ", path, " must hold 64 hex digits (an Ed25519 seed)"));
  }
  return FromSeed(*seed);
}

absl::StatusOr<SigningKey> SigningKey::LoadOrCreate(const std::string& path) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) return Load(path);
  SigningKey key = Generate();
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  RETURN_IF_ERROR(key.Save(path));
  return key;
}

absl::Status SigningKey::Save(const std::string& path) const {
  RETURN_IF_ERROR(WriteFileAtomically(path, absl::StrCat(absl::BytesToHexString(seed_), "\n"),
                                      0600));
  return WriteFileAtomically(PublicKeyPath(path), absl::StrCat(ToHex(public_key_), "\n"),
                             0644);
}

std::string SigningKey::Sign(std::string_view message) const {
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                       Bytes(message), message.size(), Bytes(secret_key_));
  return signature;
}

std::string PublicKeyPath(const std::string& key_path) { return key_path + ".pub"; }

std::string ToHex(std::string_view bytes) {
  return absl::BytesToHexString(absl::string_view(bytes.data(), bytes.size()));
}

absl::StatusOr<std::string> ParsePublicKeyHex(std::string_view text) {
  std::optional<std::string> key = Hex32(text);
  if (!key) return absl::InvalidArgumentError("a public key is 64 hex digits");
  return *key;
}

bool VerifySignature(std::string_view public_key, std::string_view message,
                     std::string_view signature) {
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
    return false;
  }
  InitSodium();
  return crypto_sign_verify_detached(Bytes(signature), Bytes(message), message.size(),
                                     Bytes(public_key)) == 0;
}

}  // namespace breachd::eventstore
