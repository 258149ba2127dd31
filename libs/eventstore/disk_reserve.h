// Refuses writes while the store's disk has less free space than a reserve. Debian 12's
// librocksdb 7.8 is built with assertions, and a write that hits a full disk can abort the
// process (WritableFileWriter: "Assertion `sync_without_flush_called_' failed", reproduced on an
// 8 MiB tmpfs), so the store stops writing while there is still room rather than relying on
// RocksDB's full-disk handling. Writing resumes as soon as space is freed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace breachd::eventstore {

class DiskReserve {
 public:
  // Free bytes for the store's files.
  using FreeBytes = std::function<absl::StatusOr<uint64_t>()>;
  // statvfs(2) of `path`: the blocks available to an unprivileged user.
  static FreeBytes StatVfs(std::string path);

  // `reserve_bytes` 0 turns the check off.
  DiskReserve(uint64_t reserve_bytes, FreeBytes free_bytes);

  // OK, or UNAVAILABLE naming the free space and the reserve. When the free space cannot be
  // read the write goes ahead (RocksDB's own error handling still applies).
  absl::Status Check();

 private:
  const uint64_t reserve_bytes_;
  const FreeBytes free_bytes_;
  std::atomic<bool> below_{false};  // for logging each crossing once
};

}  // namespace breachd::eventstore
