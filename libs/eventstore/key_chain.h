// Rotation of the checkpoint signing key (docs/security.md, "Rotating the checkpoint key"): a
// chain of public keys in which each new key is endorsed by its predecessor's signature, so a
// third party who holds the first key (the root) can follow the chain to every later key, and
// verify accepts checkpoints signed by any key of a chain that checks out.
//
// The file (`<key file>.chain`), one key per line, oldest first:
//   <root public key, 64 hex>
//   <public key, 64 hex> <rotated at, RFC 3339 UTC> <endorsement, 128 hex>
// The endorsement is the previous key's Ed25519 signature of
//   "breachd.checkpoint-key.v1\n" <previous key hex> "\n" <new key hex> "\n" <rotated at> "\n".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/eventstore/signing_key.h"

namespace breachd::eventstore {

class KeyChain {
 public:
  struct Link {
    std::string public_key;   // 32 bytes
    absl::Time rotated_at;    // absl::InfinitePast() for the root
    std::string endorsement;  // 64 bytes; empty for the root
  };

  // A chain of one key (what a store had before any rotation).
  static KeyChain Root(std::string_view public_key);
  // Parses the file's text; INVALID_ARGUMENT naming the line. Does not check endorsements.
  static absl::StatusOr<KeyChain> Parse(std::string_view text);
  // Reads `path`; NOT_FOUND names it when missing.
  static absl::StatusOr<KeyChain> Load(const std::string& path);
  std::string Serialize() const;

  // Ends the chain with `next` (a public key), endorsed by `current`, which must be the chain's
  // last key (FAILED_PRECONDITION otherwise, or when `next` is already in the chain).
  absl::Status Rotate(const SigningKey& current, std::string_view next, absl::Time at);

  // OK when the chain starts at `root` (empty: whatever it starts at) and every link is endorsed
  // by the key before it, at a later time; otherwise FAILED_PRECONDITION naming the first bad
  // link.
  absl::Status Verify(std::string_view root = "") const;

  const std::vector<Link>& links() const { return links_; }
  const std::string& current() const { return links_.back().public_key; }
  // Every public key, oldest first.
  std::vector<std::string> PublicKeys() const;

 private:
  std::vector<Link> links_;  // never empty
};

// "<key path>.chain": the chain file kept beside a key file.
std::string KeyChainPath(const std::string& key_path);

}  // namespace breachd::eventstore
