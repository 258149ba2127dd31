// A fixed set of mutexes picked by key hash: callers with the same key serialise, callers with
// different keys almost never do. Used where a check-then-append must be atomic per key
// (e.g. one request id) without serialising every writer.
#pragma once

#include <algorithm>
#include <array>
#include <functional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace breachd {

template <size_t kStripes = 64>
class StripedMutex {
 public:
  absl::Mutex& For(const std::string& key) {
    return stripes_[std::hash<std::string>{}(key) % kStripes];
  }

  // The stripes of several keys, each once, in one global order: a caller that locks them in
  // this order never deadlocks with another doing the same (or with one-key callers).
  std::vector<absl::Mutex*> StripesFor(const std::vector<std::string>& keys) {
    std::vector<absl::Mutex*> stripes;
    for (const std::string& key : keys) stripes.push_back(&For(key));
    std::sort(stripes.begin(), stripes.end());
    stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
    return stripes;
  }

 private:
  std::array<absl::Mutex, kStripes> stripes_;
};

}  // namespace breachd
