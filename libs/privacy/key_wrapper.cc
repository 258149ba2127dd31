#include "libs/privacy/key_wrapper.h"

#include <sodium.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/privacy/aead_box.h"
#include "libs/common/files.h"

namespace breachd::privacy {
namespace {

constexpr size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;

std::string WrapAd(absl::string_view key_id) { return absl::StrCat("breachd.data-key.v1|", std::string(key_id)); }

absl::StatusOr<std::string> ParseHexKey(absl::string_view text, absl::string_view where) {
  const std::string hex(absl::StripAsciiWhitespace(text));
  const bool is_hex = std::all_of(hex.begin(), hex.end(), [](char c) {
    return absl::ascii_isxdigit(static_cast<unsigned char>(c));
  });
  if (hex.size() != 2 * kKeyBytes || !is_hex) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " must hold the master key as 64 hex digits"));
  }
  return absl::HexStringToBytes(hex);
}

}  // namespace

MasterKeyWrapper::MasterKeyWrapper(absl::string_view master_key) {
  std::copy(master_key.begin(), master_key.end(), master_key_);
}

MasterKeyWrapper::~MasterKeyWrapper() { sodium_memzero(master_key_, sizeof master_key_); }

absl::StatusOr<std::unique_ptr<MasterKeyWrapper>> MasterKeyWrapper::FromKey(
    absl::string_view master_key) {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  if (master_key.size() != kKeyBytes) {
    return absl::InvalidArgumentError("the master key must be 32 bytes");
  }
  return std::unique_ptr<MasterKeyWrapper>(new MasterKeyWrapper(master_key));
}

absl::StatusOr<std::string> MasterKeyWrapper::Wrap(absl::string_view key_id,
                                                   absl::string_view key) {
  return SealBox(master_key_, WrapAd(key_id), key);
}

absl::StatusOr<std::string> MasterKeyWrapper::Unwrap(absl::string_view key_id,
                                                     absl::string_view wrapped) {
  std::optional<std::string> key = OpenBox(master_key_, WrapAd(key_id), wrapped);
  if (!key.has_value()) {
    return absl::DataLossError(absl::StrCat("wrapped key ", std::string(key_id),
                                            " is truncated or does not open with this master key"));
  }
  return *std::move(key);
}

absl::StatusOr<std::string> LoadMasterKey(const std::string& path) {
  if (!path.empty()) {
    absl::StatusOr<std::string> text = ReadWholeFile(path);
    if (!text.ok()) return absl::NotFoundError(absl::StrCat("master key file not found: ", path));
    return ParseHexKey(*text, path);
  }
  if (const char* env = std::getenv(kMasterKeyEnv); env != nullptr && *env != '\0') {
    return ParseHexKey(env, kMasterKeyEnv);
  }
  return absl::NotFoundError(
      absl::StrCat("no master key: pass --master_key_file or set ", kMasterKeyEnv));
}

absl::StatusOr<std::string> LoadOrCreateMasterKey(const std::string& path) {
  absl::StatusOr<std::string> key = LoadMasterKey(path);
  if (!absl::IsNotFound(key.status())) return key;
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  std::string fresh(kKeyBytes, '\0');
  randombytes_buf(fresh.data(), fresh.size());
  // Written aside, then linked into place: processes starting together (the services of one
  // host share a data folder) agree on the first key made.
  const std::string tmp = absl::StrCat(path, ".", ::getpid(), ".new");
  const absl::Status written =
      WriteFileAtomically(tmp, absl::StrCat(absl::BytesToHexString(fresh), "\n"), 0600);
  if (!written.ok()) return written;
  const bool linked = ::link(tmp.c_str(), path.c_str()) == 0;
  const int link_errno = errno;
  std::remove(tmp.c_str());
  if (linked) return fresh;
  if (link_errno != EEXIST) {
    return absl::UnavailableError(absl::StrCat("cannot create ", path, ": ",
                                               std::strerror(link_errno)));
  }
  return LoadMasterKey(path);
}

}  // namespace breachd::privacy
