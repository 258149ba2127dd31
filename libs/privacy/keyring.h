// The data keys of every school, wrapped by the master key, one file per key in one folder that
// every service of a deployment shares (docs/security.md, "Per-school encryption"):
//
//   <dir>/<key_id>.key     the wrapped key (KeyWrapper), created once with link(2) so two
//                          processes racing to create it agree on one key
//   <dir>/<key_id>.erased  the tombstone of a destroyed key: when and why, in clear
//   <dir>/<base>.current   after a rotation: the id of the key new data of <base> is sealed
//                          under ("<base>.<N>"); absent, it is <base> itself
//
// Key ids: "school.<CODE>" for a school's personal data, "reads.<CODE>.<YYYY-MM>" for its read
// records of one month (libs/privacy/field_cipher.h). Unwrapped keys are cached in memory; a
// use of a cached key checks first that its file still exists, so a key destroyed by another
// process is not used either.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "absl/time/time.h"
#include "libs/privacy/key_wrapper.h"

namespace breachd::privacy {

// A 32-byte data key, zeroed when the last holder lets go.
struct DataKey {
  std::array<unsigned char, 32> bytes{};
  ~DataKey();
};

class Keyring {
 public:
  // Creates `dir` (0700) if missing.
  static absl::StatusOr<std::unique_ptr<Keyring>> Open(const std::string& dir,
                                                       std::unique_ptr<KeyWrapper> wrapper);

  // The key `key_id`, created on first use. FAILED_PRECONDITION once it has been destroyed:
  // nothing is written for an erased school.
  absl::StatusOr<std::shared_ptr<const DataKey>> KeyForWriting(const std::string& key_id);
  // The keys `key_ids` (same order; nullptr for a destroyed one), the missing ones created
  // together: their files written, made durable at once (one syncfs(2) of the folder's file
  // system for a batch, an fsync each for a few), linked into place, then the folder synced
  // ONCE. An import seals thousands of schools: one sync per batch, not two per school.
  // Returns only once every key is durable, so data sealed with them afterwards never refers
  // to a key a crash could lose. INVALID_ARGUMENT (nothing made) if any id is malformed.
  absl::StatusOr<std::vector<std::shared_ptr<const DataKey>>> KeysForWriting(
      absl::Span<const std::string> key_ids);
  // The key, or nullptr when it was destroyed or never made.
  absl::StatusOr<std::shared_ptr<const DataKey>> KeyForReading(const std::string& key_id);
  // Destroys the key (tombstone first, then the key file, then the folder synced); destroying
  // a key that does not exist leaves a tombstone so it is never created afterwards.
  absl::Status Destroy(const std::string& key_id, absl::Time when, const std::string& why);
  bool IsDestroyed(const std::string& key_id) const;
  // The key new data of `base_id` (e.g. "school.<CODE>") is sealed under: `base_id` until its
  // first rotation, then "<base_id>.<N>". Every process sharing the folder reads it afresh.
  absl::StatusOr<std::string> CurrentKeyId(const std::string& base_id) const;
  // Makes a new key "<base_id>.<N+1>" current and returns its id; the earlier keys stay (what
  // they sealed still opens) until destroyed. FAILED_PRECONDITION once `base_id` is destroyed.
  absl::StatusOr<std::string> Rotate(const std::string& base_id);
  // The ids of the live keys that start with `prefix`, sorted.
  absl::StatusOr<std::vector<std::string>> LiveKeys(const std::string& prefix) const;

  const std::string& dir() const { return dir_; }

 private:
  Keyring(std::string dir, std::unique_ptr<KeyWrapper> wrapper)
      : dir_(std::move(dir)), wrapper_(std::move(wrapper)) {}
  std::string KeyPath(const std::string& key_id) const;
  std::string TombstonePath(const std::string& key_id) const;
  std::string CurrentPath(const std::string& base_id) const;
  // The key as the folder has it now: nullptr when destroyed or (`*absent` set) not made.
  absl::StatusOr<std::shared_ptr<const DataKey>> FindLocked(const std::string& key_id,
                                                            bool* absent)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::shared_ptr<const DataKey>> UnwrapLocked(const std::string& key_id,
                                                              std::string wrapped)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string dir_;
  std::unique_ptr<KeyWrapper> wrapper_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<const DataKey>> cache_ ABSL_GUARDED_BY(mu_);
};

// INVALID_ARGUMENT unless `key_id` is 1..128 characters of [A-Za-z0-9._-] (it names a file).
absl::Status ValidateKeyId(const std::string& key_id);

}  // namespace breachd::privacy
