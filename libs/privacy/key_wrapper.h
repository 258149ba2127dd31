// Wrapping of data keys by a master key: the seam a KMS implements later (Wrap and Unwrap by
// key id, so a KMS can bind the id into its own envelope). The one implementation today is a
// 32-byte master key held in memory, read from a file or an environment variable.
#pragma once

#include <memory>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace breachd::privacy {

class KeyWrapper {
 public:
  virtual ~KeyWrapper() = default;
  // The data key `key` wrapped for storage under `key_id`.
  virtual absl::StatusOr<std::string> Wrap(absl::string_view key_id, absl::string_view key) = 0;
  // The data key back; DATA_LOSS when `wrapped` was not made by Wrap for `key_id`.
  virtual absl::StatusOr<std::string> Unwrap(absl::string_view key_id,
                                             absl::string_view wrapped) = 0;
};

// XChaCha20-Poly1305 (libsodium) under a 32-byte master key, associated data
// "breachd.data-key.v1|" + key id, a random 24-byte nonce in front of the ciphertext.
class MasterKeyWrapper final : public KeyWrapper {
 public:
  // INVALID_ARGUMENT unless `master_key` is 32 bytes.
  static absl::StatusOr<std::unique_ptr<MasterKeyWrapper>> FromKey(absl::string_view master_key);
  ~MasterKeyWrapper() override;

  absl::StatusOr<std::string> Wrap(absl::string_view key_id, absl::string_view key) override;
  absl::StatusOr<std::string> Unwrap(absl::string_view key_id, absl::string_view wrapped) override;

 private:
  explicit MasterKeyWrapper(absl::string_view master_key);
  unsigned char master_key_[32];
};

// The environment variable that may hold the master key (64 hex digits) instead of a file.
inline constexpr char kMasterKeyEnv[] = "BREACHD_MASTER_KEY";

// The master key: from `path` when it is not empty (64 hex digits, a trailing newline allowed;
// NOT_FOUND names a missing file), else from $BREACHD_MASTER_KEY, else NOT_FOUND.
absl::StatusOr<std::string> LoadMasterKey(const std::string& path);
// Development: the key in `path`, or a new random one written there first (0600, atomically).
absl::StatusOr<std::string> LoadOrCreateMasterKey(const std::string& path);

}  // namespace breachd::privacy
