#include "tools/breachctl/key_rotation.h"

#include <sys/stat.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/files.h"
#include "libs/eventstore/key_chain.h"
#include "libs/grpcutil/status.h"
#include "nlohmann/json.hpp"

namespace breachd::breachctl {
namespace {

using eventstore::KeyChain;
using eventstore::ToHex;

int Failed(CommandIo& io, const absl::Status& status) {
  return FailCall(io, grpcutil::ToGrpcStatus(status));
}

// The chain as rows (table) or a JSON array (json).
void PrintChain(CommandIo& io, const KeyChain& chain) {
  if (io.format == OutputFormat::kJson) {
    nlohmann::json keys = nlohmann::json::array();
    for (const KeyChain::Link& link : chain.links()) {
      keys.push_back({{"public_key", ToHex(link.public_key)},
                      {"rotated_at", link.endorsement.empty()
                                         ? nlohmann::json(nullptr)
                                         : nlohmann::json(absl::FormatTime(
                                               absl::RFC3339_sec, link.rotated_at,
                                               absl::UTCTimeZone()))},
                      {"endorsed_by_previous", !link.endorsement.empty()}});
    }
    io.out << nlohmann::json{{"keys", keys}}.dump(2) << "\n";
    return;
  }
  Table table({"#", "PUBLIC KEY", "IN USE FROM", "ENDORSED BY"});
  for (size_t i = 0; i < chain.links().size(); ++i) {
    const KeyChain::Link& link = chain.links()[i];
    table.AddRow({absl::StrCat(i + 1), ToHex(link.public_key),
                  link.endorsement.empty()
                      ? "root"
                      : absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", link.rotated_at,
                                         absl::UTCTimeZone()),
                  link.endorsement.empty() ? "-" : absl::StrCat("#", i)});
  }
  table.Print(io.out);
}

}  // namespace

int AdminRotateSigningKey(const CommandLine& line, CommandIo& io) {
  const std::string old_path = line.FlagOr("checkpoint-key", "");
  const std::string new_path = line.FlagOr("new-checkpoint-key", "");
  if (old_path.empty() || new_path.empty()) {
    return UsageError(io, "give --checkpoint-key (the key in use) and --new-checkpoint-key");
  }
  if (std::filesystem::exists(new_path)) {
    return UsageError(io, absl::StrCat("--new-checkpoint-key: ", new_path,
                                       " exists; name a new file"));
  }
  absl::StatusOr<eventstore::SigningKey> old_key = eventstore::SigningKey::Load(old_path);
  if (!old_key.ok()) return Failed(io, old_key.status());
  // The chain so far: the old key's, or the old key alone before the first rotation.
  KeyChain chain = KeyChain::Root(old_key->public_key());
  if (std::filesystem::exists(eventstore::KeyChainPath(old_path))) {
    absl::StatusOr<KeyChain> loaded = KeyChain::Load(eventstore::KeyChainPath(old_path));
    if (!loaded.ok()) return Failed(io, loaded.status());
    if (absl::Status verified = loaded->Verify(); !verified.ok()) return Failed(io, verified);
    chain = *std::move(loaded);
  }
  const eventstore::SigningKey new_key = eventstore::SigningKey::Generate();
  if (absl::Status rotated = chain.Rotate(*old_key, new_key.public_key(), absl::Now());
      !rotated.ok()) {
    return Failed(io, rotated);
  }
  if (absl::Status saved = new_key.Save(new_path); !saved.ok()) return Failed(io, saved);
  if (absl::Status written = WriteFileAtomically(eventstore::KeyChainPath(new_path),
                                                 chain.Serialize(), 0644);
      !written.ok()) {
    return Failed(io, written);
  }
  if (io.format == OutputFormat::kTable) {
    io.out << "new key " << new_path << " (public " << ToHex(new_key.public_key())
           << "), endorsed by the old key in " << eventstore::KeyChainPath(new_path)
           << ".\nRestart breachd with --signing_key_file=" << new_path
           << "; keep the old key offline. The chain:\n\n";
  }
  PrintChain(io, chain);
  return 0;
}

int AdminKeyChain(const CommandLine& line, CommandIo& io) {
  absl::StatusOr<KeyChain> chain = KeyChain::Load(line.words[2]);
  if (!chain.ok()) return Failed(io, chain.status());
  std::string root;
  if (auto hex = line.Flag("root")) {
    absl::StatusOr<std::string> parsed = eventstore::ParsePublicKeyHex(*hex);
    if (!parsed.ok()) return UsageError(io, "--root must be a public key of 64 hex digits");
    root = *std::move(parsed);
  }
  if (absl::Status verified = chain->Verify(root); !verified.ok()) return Failed(io, verified);
  PrintChain(io, *chain);
  if (io.format == OutputFormat::kTable) {
    io.out << "\nevery key is endorsed by the one before it"
           << (root.empty() ? " (give --root to check the first one too)" : ", from the root given")
           << "\n";
  }
  return 0;
}

}  // namespace breachd::breachctl
