#include "libs/eventstore/disk_reserve.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/log.h"

namespace breachd::eventstore {
namespace {

std::string Mebibytes(uint64_t bytes) { return absl::StrCat(bytes >> 20, " MiB"); }

}  // namespace

DiskReserve::FreeBytes DiskReserve::StatVfs(std::string path) {
  return [path = std::move(path)]() -> absl::StatusOr<uint64_t> {
    struct statvfs fs;
    if (statvfs(path.c_str(), &fs) != 0) {
      return absl::UnavailableError(absl::StrCat("statvfs ", path, ": ", std::strerror(errno)));
    }
    return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  };
}

DiskReserve::DiskReserve(uint64_t reserve_bytes, FreeBytes free_bytes, const Clock& clock)
    : reserve_bytes_(reserve_bytes), free_bytes_(std::move(free_bytes)), clock_(clock) {}

absl::Status DiskReserve::Check() {
  if (reserve_bytes_ == 0) return absl::OkStatus();
  const int64_t now_ns = absl::ToUnixNanos(clock_.Now());
  if (now_ns < roomy_until_ns_.load(std::memory_order_relaxed)) return absl::OkStatus();
  const absl::StatusOr<uint64_t> free = free_bytes_();
  if (!free.ok()) return absl::OkStatus();
  if (*free - std::min(*free, reserve_bytes_) > kSlackBytes) {
    roomy_until_ns_.store(now_ns + absl::ToInt64Nanoseconds(kRecheckAfter),
                          std::memory_order_relaxed);
  }
  const bool below = *free < reserve_bytes_;
  if (below_.exchange(below) != below) {
    if (below) {
      log::Error("event store disk nearly full; writes are refused until space is freed",
                 {{"free", Mebibytes(*free)}, {"reserve", Mebibytes(reserve_bytes_)}});
    } else {
      log::Info("event store disk has room again; writes resume", {{"free", Mebibytes(*free)}});
    }
  }
  if (!below) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(
      "event store refuses writes: its disk has ", Mebibytes(*free), " free, below the reserve of ",
      Mebibytes(reserve_bytes_), "; writing resumes once space is freed"));
}

}  // namespace breachd::eventstore
