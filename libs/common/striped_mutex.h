// A fixed set of mutexes picked by key hash: callers with the same key serialise, callers with
// different keys almost never do. Used where a check-then-append must be atomic per key
// (e.g. one request id) without serialising every writer.
#pragma once

#include <array>
#include <functional>
#include <string>

#include "absl/synchronization/mutex.h"

namespace breachd {

template <size_t kStripes = 64>
class StripedMutex {
 public:
  absl::Mutex& For(const std::string& key) {
    return stripes_[std::hash<std::string>{}(key) % kStripes];
  }

 private:
  std::array<absl::Mutex, kStripes> stripes_;
};

}  // namespace breachd
