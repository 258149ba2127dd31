// The Ed25519 key pair (libsodium) a store signs its checkpoints with (checkpoint.h), its key
// files, and signature checks with a public key alone (what a third party has).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace breachd::eventstore {

class SigningKey {
 public:
  // A key from its 32-byte seed (INVALID_ARGUMENT for another size).
  static absl::StatusOr<SigningKey> FromSeed(std::string_view seed);
  // A fresh random key.
  static SigningKey Generate();
  // The key file: the seed as 64 hex digits (a trailing newline is allowed). NOT_FOUND names
  // the path when it is missing; INVALID_ARGUMENT when it holds anything else.
  static absl::StatusOr<SigningKey> Load(const std::string& path);
  // Development: Load, or, when the file is missing, a new key written to `path` (mode 0600,
  // atomically) with its public key beside it (PublicKeyPath).
  static absl::StatusOr<SigningKey> LoadOrCreate(const std::string& path);
  // Writes the key file (0600) and the public key file (0644).
  absl::Status Save(const std::string& path) const;

  const std::string& public_key() const { return public_key_; }  // 32 raw bytes
  std::string Sign(std::string_view message) const;                // 64-byte detached signature

 private:
  std::string seed_;
  std::string secret_key_;  // libsodium's 64-byte form (seed || public key)
  std::string public_key_;
};

// "<key path>.pub": the public key file written beside a key file.
std::string PublicKeyPath(const std::string& key_path);
// Lowercase hex of raw bytes (a public key: 64 digits).
std::string ToHex(std::string_view bytes);
// A public key from 64 hex digits (surrounding whitespace ignored), or INVALID_ARGUMENT.
absl::StatusOr<std::string> ParsePublicKeyHex(std::string_view text);
// Whether `signature` is `public_key`'s Ed25519 signature of `message`.
bool VerifySignature(std::string_view public_key, std::string_view message,
                     std::string_view signature);

}  // namespace breachd::eventstore
