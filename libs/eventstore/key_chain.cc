#include "libs/eventstore/key_chain.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/files.h"

namespace breachd::eventstore {
namespace {

std::string TimeText(absl::Time at) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", at, absl::UTCTimeZone());
}

// What a key signs to endorse its successor.
std::string EndorsedMessage(std::string_view previous, std::string_view next, absl::Time at) {
  return absl::StrCat("breachd.checkpoint-key.v1\n", ToHex(previous), "\n", ToHex(next), "\n",
                      TimeText(at), "\n");
}

// 64 bytes from exactly 128 hex digits.
std::optional<std::string> Signature(absl::string_view hex) {
  if (hex.size() != 128) return std::nullopt;
  for (char c : hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return absl::HexStringToBytes(hex);
}

}  // namespace

KeyChain KeyChain::Root(std::string_view public_key) {
  KeyChain chain;
  chain.links_.push_back({std::string(public_key), absl::InfinitePast(), ""});
  return chain;
}

absl::StatusOr<KeyChain> KeyChain::Parse(std::string_view text) {
  KeyChain chain;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    const std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    auto bad = [&](const std::string& why) {
      return absl::InvalidArgumentError(absl::StrCat("key chain line ", number, ": ", why));
    };
    const bool root = chain.links_.empty();
    if (words.size() != (root ? 1u : 3u)) {
      return bad(root ? "the first line is the root public key alone (64 hex digits)"
                      : "expected: public key, rotation time (RFC 3339), endorsement (128 hex)");
    }
    absl::StatusOr<std::string> key =
        ParsePublicKeyHex(std::string_view(words[0].data(), words[0].size()));
    if (!key.ok()) return bad("the public key is not 64 hex digits");
    Link link{*std::move(key), absl::InfinitePast(), ""};
    if (!root) {
      std::string error;
      if (!absl::ParseTime(absl::RFC3339_full, words[1], &link.rotated_at, &error)) {
        return bad(absl::StrCat("the rotation time is not RFC 3339: ", error));
      }
      std::optional<std::string> signature = Signature(words[2]);
      if (!signature) return bad("the endorsement is not 128 hex digits");
      link.endorsement = *std::move(signature);
    }
    chain.links_.push_back(std::move(link));
  }
  if (chain.links_.empty()) return absl::InvalidArgumentError("the key chain is empty");
  return chain;
}

absl::StatusOr<KeyChain> KeyChain::Load(const std::string& path) {
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<KeyChain> chain = Parse(*text);
  if (!chain.ok()) return absl::Status(chain.status().code(), absl::StrCat(path, ": ", chain.status().message()));
  return chain;
}

std::string KeyChain::Serialize() const {
  std::string text = absl::StrCat(ToHex(links_.front().public_key), "\n");
  for (size_t i = 1; i < links_.size(); ++i) {
    absl::StrAppend(&text, ToHex(links_[i].public_key), " ", TimeText(links_[i].rotated_at), " ",
                    ToHex(links_[i].endorsement), "\n");
  }
  return text;
}

absl::Status KeyChain::Rotate(const SigningKey& current, std::string_view next, absl::Time at) {
  if (current.public_key() != this->current()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the signing key ", ToHex(current.public_key()), " is not the chain's latest key ",
        ToHex(this->current()), ": rotate from the key in use"));
  }
  const std::vector<std::string> keys = PublicKeys();
  if (std::find(keys.begin(), keys.end(), next) != keys.end()) {
    return absl::FailedPreconditionError("the new key is already in the chain");
  }
  // Whole seconds, as the file keeps them, so the endorsement verifies after a reload.
  const absl::Time second = absl::FromUnixSeconds(absl::ToUnixSeconds(at));
  links_.push_back({std::string(next), second,
                    current.Sign(EndorsedMessage(current.public_key(), next, second))});
  return absl::OkStatus();
}

absl::Status KeyChain::Verify(std::string_view root) const {
  if (!root.empty() && links_.front().public_key != root) {
    return absl::FailedPreconditionError(absl::StrCat("the key chain starts at ",
                                                      ToHex(links_.front().public_key),
                                                      ", not at the trusted key ", ToHex(root)));
  }
  for (size_t i = 1; i < links_.size(); ++i) {
    const Link& previous = links_[i - 1];
    const Link& link = links_[i];
    if (!VerifySignature(previous.public_key,
                         EndorsedMessage(previous.public_key, link.public_key, link.rotated_at),
                         link.endorsement)) {
      return absl::FailedPreconditionError(
          absl::StrCat("key ", i + 1, " of the chain (", ToHex(link.public_key),
                       ") is not endorsed by the key before it (", ToHex(previous.public_key), ")"));
    }
    if (i > 1 && link.rotated_at < previous.rotated_at) {
      return absl::FailedPreconditionError(
          absl::StrCat("key ", i + 1, " of the chain was rotated in before the key before it"));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> KeyChain::PublicKeys() const {
  std::vector<std::string> keys;
  for (const Link& link : links_) keys.push_back(link.public_key);
  return keys;
}

std::string KeyChainPath(const std::string& key_path) { return key_path + ".chain"; }

}  // namespace breachd::eventstore
