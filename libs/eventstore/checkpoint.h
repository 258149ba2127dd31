// Signed checkpoints: a store signs the digest of its stream heads as of a global position, so
// that rewriting the whole store and recomputing every hash (which the chains alone cannot
// reveal) is found by Verify. See docs/event-store.md, "Signed checkpoints".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/eventstore/database.h"
#include "libs/eventstore/event_store.h"
#include "libs/eventstore/signing_key.h"

namespace breachd::eventstore {

// SHA-256 over, for each stream with an event at or below `position` (in stream order), its
// last version at or below `position` and that event's hash.
struct HeadsDigest {
  uint64_t streams = 0;
  std::string digest;  // 32 bytes
};
absl::StatusOr<HeadsDigest> DigestHeadsAt(const Database& database, uint64_t position,
                                          const rocksdb::ReadOptions& read);

// The bytes a checkpoint's signature covers: a domain tag, position, stream count, digest and
// signing time.
std::string CheckpointMessage(const Checkpoint& checkpoint);

// Signs the heads at `position` (read through `read`, a snapshot taken after every append at or
// below `position` finished).
absl::StatusOr<Checkpoint> SignCheckpoint(const Database& database, const SigningKey& key,
                                          uint64_t position, absl::Time now,
                                          const rocksdb::ReadOptions& read);

absl::StatusOr<std::optional<Checkpoint>> ReadLatestCheckpoint(const Database& database);

// Checks the latest checkpoint against the stored heads and its signature against the trusted
// key it names: `trusted_public_key` (the key in use) or one of `earlier_public_keys` (the keys
// it replaced, from a verified key chain, key_chain.h); a problem sets report.ok = false and
// report.problem. A store with events needs a checkpoint.
absl::Status CheckLatestCheckpoint(const Database& database, std::string_view trusted_public_key,
                                   VerifyReport& report,
                                   const std::vector<std::string>& earlier_public_keys = {});

}  // namespace breachd::eventstore
