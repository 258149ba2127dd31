#include "libs/privacy/keyring.h"

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "libs/common/proto_time.h"

namespace breachd::privacy {
namespace {

constexpr char kKeySuffix[] = ".key";
constexpr char kTombstoneSuffix[] = ".erased";
constexpr char kCurrentSuffix[] = ".current";

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

absl::Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot open ", dir));
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok ? absl::OkStatus() : absl::UnavailableError(absl::StrCat("cannot sync ", dir));
}

// Makes the bytes of the files `paths` (all in `dir`) durable. For more than a few, one
// syncfs(2) of the folder's file system: one flush of the disk for them all, where an fsync each
// costs one flush per file (500 new key files: 0.04 s against 1.3 s on the 2-core VM's disk,
// docs/benchmarks.md). An fsync each for a few, and when syncfs fails (it also reports write
// errors of other files of that file system).
absl::Status SyncFiles(const std::string& dir, const std::vector<std::string>& paths) {
  constexpr size_t kSyncfsFrom = 4;
  if (paths.size() >= kSyncfsFrom) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const bool ok = fd >= 0 && ::syncfs(fd) == 0;
    if (fd >= 0) ::close(fd);
    if (ok) return absl::OkStatus();
  }
  for (const std::string& path : paths) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const bool ok = fd >= 0 && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
    if (!ok) return absl::UnavailableError(absl::StrCat("cannot sync ", path));
  }
  return absl::OkStatus();
}

}  // namespace

DataKey::~DataKey() { sodium_memzero(bytes.data(), bytes.size()); }

absl::Status ValidateKeyId(const std::string& key_id) {
  const bool ok = !key_id.empty() && key_id.size() <= 128 &&
                  std::all_of(key_id.begin(), key_id.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                           c == '-';
                  });
  if (!ok) return absl::InvalidArgumentError(absl::StrCat("bad key id \"", key_id, "\""));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Keyring>> Keyring::Open(const std::string& dir,
                                                       std::unique_ptr<KeyWrapper> wrapper) {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::UnavailableError(absl::StrCat("cannot create keyring ", dir, ": ",
                                               std::strerror(errno)));
  }
  return std::unique_ptr<Keyring>(new Keyring(dir, std::move(wrapper)));
}

std::string Keyring::KeyPath(const std::string& key_id) const {
  return absl::StrCat(dir_, "/", key_id, kKeySuffix);
}

std::string Keyring::TombstonePath(const std::string& key_id) const {
  return absl::StrCat(dir_, "/", key_id, kTombstoneSuffix);
}

std::string Keyring::CurrentPath(const std::string& base_id) const {
  return absl::StrCat(dir_, "/", base_id, kCurrentSuffix);
}

absl::StatusOr<std::string> Keyring::CurrentKeyId(const std::string& base_id) const {
  if (absl::Status valid = ValidateKeyId(base_id); !valid.ok()) return valid;
  absl::StatusOr<std::string> current = ReadWholeFile(CurrentPath(base_id));
  if (absl::IsNotFound(current.status())) return base_id;
  if (!current.ok()) return current.status();
  const std::string id(absl::StripAsciiWhitespace(*current));
  // Only a generation of this very base: a pointer edited by hand cannot redirect a school's
  // data to another school's key.
  uint64_t generation = 0;
  if (!absl::StartsWith(id, absl::StrCat(base_id, ".")) ||
      !absl::SimpleAtoi(absl::string_view(id).substr(base_id.size() + 1), &generation) ||
      generation < 2) {
    return absl::DataLossError(absl::StrCat(CurrentPath(base_id), " names \"", id,
                                            "\", not a generation of ", base_id));
  }
  return id;
}

absl::StatusOr<std::string> Keyring::Rotate(const std::string& base_id) {
  absl::StatusOr<std::string> current = CurrentKeyId(base_id);
  if (!current.ok()) return current.status();
  if (IsDestroyed(base_id)) {
    return absl::FailedPreconditionError(
        absl::StrCat("key ", base_id, " was destroyed (the school's data was erased)"));
  }
  uint64_t generation = 1;
  if (*current != base_id) {
    (void)absl::SimpleAtoi(absl::string_view(*current).substr(base_id.size() + 1), &generation);
  }
  const std::string next = absl::StrCat(base_id, ".", generation + 1);
  // The key first (link(2): two processes rotating at once agree on it), then the pointer: a
  // reader never finds a pointer to a key that is not there.
  absl::StatusOr<std::shared_ptr<const DataKey>> made = KeyForWriting(next);
  if (!made.ok()) return made.status();
  if (absl::Status written = WriteFileAtomically(CurrentPath(base_id), next + "\n", 0600);
      !written.ok()) {
    return written;
  }
  if (absl::Status synced = SyncDir(dir_); !synced.ok()) return synced;
  return next;
}

bool Keyring::IsDestroyed(const std::string& key_id) const {
  return Exists(TombstonePath(key_id));
}

absl::StatusOr<std::shared_ptr<const DataKey>> Keyring::KeyForWriting(const std::string& key_id) {
  absl::StatusOr<std::vector<std::shared_ptr<const DataKey>>> keys = KeysForWriting({key_id});
  if (!keys.ok()) return keys.status();
  if (keys->front() == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("key ", key_id, " was destroyed (the school's data was erased)"));
  }
  return keys->front();
}

absl::StatusOr<std::shared_ptr<const DataKey>> Keyring::KeyForReading(const std::string& key_id) {
  if (absl::Status valid = ValidateKeyId(key_id); !valid.ok()) return valid;
  absl::MutexLock lock(&mu_);
  bool absent = false;
  return FindLocked(key_id, &absent);
}

absl::StatusOr<std::shared_ptr<const DataKey>> Keyring::FindLocked(const std::string& key_id,
                                                                   bool* absent) {
  *absent = false;
  // Destroyed (here or by another process sharing the folder): forget it and refuse to remake it.
  if (IsDestroyed(key_id)) {
    cache_.erase(key_id);
    return nullptr;
  }
  const std::string path = KeyPath(key_id);
  if (!Exists(path)) {
    cache_.erase(key_id);
    *absent = true;
    return nullptr;
  }
  if (auto it = cache_.find(key_id); it != cache_.end()) return it->second;
  absl::StatusOr<std::string> wrapped = ReadWholeFile(path);
  if (!wrapped.ok()) {  // gone between the stat and the read: destroyed since
    *absent = !IsDestroyed(key_id);
    return nullptr;
  }
  return UnwrapLocked(key_id, *std::move(wrapped));
}

absl::StatusOr<std::shared_ptr<const DataKey>> Keyring::UnwrapLocked(const std::string& key_id,
                                                                     std::string wrapped) {
  absl::StatusOr<std::string> raw = wrapper_->Unwrap(key_id, wrapped);
  if (!raw.ok()) return raw.status();
  if (raw->size() != 32) return absl::DataLossError(absl::StrCat("key ", key_id, " is malformed"));
  auto key = std::make_shared<DataKey>();
  std::copy(raw->begin(), raw->end(), key->bytes.begin());
  sodium_memzero(raw->data(), raw->size());
  cache_[key_id] = key;
  return key;
}

absl::StatusOr<std::vector<std::shared_ptr<const DataKey>>> Keyring::KeysForWriting(
    absl::Span<const std::string> key_ids) {
  for (const std::string& key_id : key_ids) {
    if (absl::Status valid = ValidateKeyId(key_id); !valid.ok()) return valid;
  }
  std::vector<std::shared_ptr<const DataKey>> keys(key_ids.size());
  // The keys to make: each written aside ("<path>.<pid>.new"), then linked into place.
  struct Fresh {
    size_t index;
    std::shared_ptr<DataKey> key;
    std::string tmp;
  };
  std::vector<Fresh> fresh;
  absl::flat_hash_set<std::string> making;
  std::vector<std::string> tmps;
  // Linked or not, the files aside go (a failure leaves no key half-made).
  const absl::Cleanup remove_tmps = [&tmps] {
    for (const std::string& tmp : tmps) std::remove(tmp.c_str());
  };
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < key_ids.size(); ++i) {
    bool absent = false;
    absl::StatusOr<std::shared_ptr<const DataKey>> found = FindLocked(key_ids[i], &absent);
    if (!found.ok()) return found.status();
    keys[i] = *std::move(found);
    if (!absent || !making.insert(key_ids[i]).second) continue;
    auto key = std::make_shared<DataKey>();
    randombytes_buf(key->bytes.data(), key->bytes.size());
    absl::StatusOr<std::string> sealed = wrapper_->Wrap(
        key_ids[i], absl::string_view(reinterpret_cast<const char*>(key->bytes.data()), 32));
    if (!sealed.ok()) return sealed.status();
    std::string tmp = absl::StrCat(KeyPath(key_ids[i]), ".", ::getpid(), ".new");
    if (absl::Status written = WriteWholeFile(tmp, *sealed, 0600, /*sync=*/false);
        !written.ok()) {
      return written;
    }
    tmps.push_back(tmp);
    fresh.push_back({i, std::move(key), std::move(tmp)});
  }
  if (fresh.empty()) return keys;
  // Crash safety, in this order: every key's bytes durable, THEN its name (link), THEN the
  // folder synced, THEN the keys returned to be sealed with. A crash before the folder sync may
  // lose a key, but nothing sealed with it was written yet; a name never survives without its
  // bytes (an empty key file would make the school's data unreadable).
  if (absl::Status synced = SyncFiles(dir_, tmps); !synced.ok()) return synced;
  for (Fresh& made : fresh) {
    const std::string path = KeyPath(key_ids[made.index]);
    const bool linked = ::link(made.tmp.c_str(), path.c_str()) == 0;
    const int link_errno = errno;
    if (!linked && link_errno != EEXIST) {
      return absl::UnavailableError(absl::StrCat("cannot create ", path, ": ",
                                                 std::strerror(link_errno)));
    }
    // Not linked: another process made it first, and its key is the one (read below).
    if (linked) cache_[key_ids[made.index]] = keys[made.index] = made.key;
  }
  for (const std::string& tmp : tmps) std::remove(tmp.c_str());  // before the folder's sync
  tmps.clear();
  if (absl::Status synced = SyncDir(dir_); !synced.ok()) return synced;
  for (size_t i = 0; i < key_ids.size(); ++i) {
    if (keys[i] != nullptr) continue;
    // Made here or by the process that won the race (the same id twice in `key_ids` too).
    bool absent = false;
    absl::StatusOr<std::shared_ptr<const DataKey>> found = FindLocked(key_ids[i], &absent);
    if (!found.ok()) return found.status();
    keys[i] = *std::move(found);
  }
  return keys;
}

absl::Status Keyring::Destroy(const std::string& key_id, absl::Time when, const std::string& why) {
  if (absl::Status valid = ValidateKeyId(key_id); !valid.ok()) return valid;
  absl::MutexLock lock(&mu_);
  // The tombstone first: from then on nobody makes the key again, even if the unlink below fails.
  if (!IsDestroyed(key_id)) {
    const absl::Status written = WriteFileAtomically(
        TombstonePath(key_id), absl::StrCat(absl::FormatTime(absl::RFC3339_sec, when,
                                                              absl::UTCTimeZone()),
                                            " ", why, "\n"),
        0600);
    if (!written.ok()) return written;
  }
  cache_.erase(key_id);
  const std::string path = KeyPath(key_id);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return absl::UnavailableError(absl::StrCat("cannot delete ", path, ": ", std::strerror(errno)));
  }
  return SyncDir(dir_);
}

absl::StatusOr<std::vector<std::string>> Keyring::LiveKeys(const std::string& prefix) const {
  DIR* dir = ::opendir(dir_.c_str());
  if (dir == nullptr) return absl::UnavailableError(absl::StrCat("cannot list ", dir_));
  std::vector<std::string> ids;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (!absl::EndsWith(name, kKeySuffix)) continue;
    // The prefix is of the key id, not the file name ("school.X." is not "school.X.key").
    std::string id = name.substr(0, name.size() - std::strlen(kKeySuffix));
    if (absl::StartsWith(id, prefix)) ids.push_back(std::move(id));
  }
  ::closedir(dir);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace breachd::privacy
