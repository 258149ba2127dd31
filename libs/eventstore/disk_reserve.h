// Refuses writes while the store's disk has less free space than a reserve. Debian 12's
// librocksdb 7.8 is built with assertions, and a write that hits a full disk can abort the
// process (WritableFileWriter: "Assertion `sync_without_flush_called_' failed", reproduced on an
// 8 MiB tmpfs), so the store stops writing while there is still room rather than relying on
// RocksDB's full-disk handling. Writing resumes as soon as space is freed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace breachd::eventstore {

class DiskReserve {
 public:
  // Free bytes for the store's files.
  using FreeBytes = std::function<absl::StatusOr<uint64_t>()>;
  // statvfs(2) of `path`: the blocks available to an unprivileged user.
  static FreeBytes StatVfs(std::string path);

  // `reserve_bytes` 0 turns the check off. `clock` (not owned) times the re-reads.
  DiskReserve(uint64_t reserve_bytes, FreeBytes free_bytes, const Clock& clock);

  // OK, or UNAVAILABLE naming the free space and the reserve. When the free space cannot be
  // read the write goes ahead (RocksDB's own error handling still applies). While the last
  // reading was more than kSlackBytes above the reserve, the free space is read again only
  // after kRecheckAfter: a statvfs per write cost ~1 % of the CPU of a burst of
  // small writes, and no store fills a GiB in a few milliseconds.
  absl::Status Check();

  static constexpr uint64_t kSlackBytes = uint64_t{1} << 30;
  static constexpr absl::Duration kRecheckAfter = absl::Milliseconds(20);

 private:
  const uint64_t reserve_bytes_;
  const FreeBytes free_bytes_;
  const Clock& clock_;
  std::atomic<bool> below_{false};  // for logging each crossing once
  // Until when the last reading (far above the reserve) stands, as absl::ToUnixNanos.
  std::atomic<int64_t> roomy_until_ns_{std::numeric_limits<int64_t>::min()};
};

}  // namespace breachd::eventstore
