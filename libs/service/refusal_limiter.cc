#include "libs/service/refusal_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace breachd::service {

RefusalLimiter::Bucket& RefusalLimiter::Refilled(const std::string& key) {
  const absl::Time now = clock_.Now();
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{static_cast<double>(limits_.burst), now});
  Bucket& bucket = it->second;
  if (!inserted && now > bucket.updated) {
    const double refilled = absl::FDivDuration(now - bucket.updated, limits_.refill);
    bucket.tokens = std::min<double>(limits_.burst, bucket.tokens + refilled);
    bucket.updated = now;
  }
  return bucket;
}

absl::Status RefusalLimiter::CheckAllowed(const std::string& key) {
  absl::MutexLock lock(&mu_);
  if (buckets_.find(key) == buckets_.end()) return absl::OkStatus();
  const Bucket& bucket = Refilled(key);
  if (bucket.tokens >= 1) return absl::OkStatus();
  const absl::Duration wait = limits_.refill * (1 - bucket.tokens);
  const int64_t seconds = std::max<int64_t>(1, std::ceil(absl::ToDoubleSeconds(wait)));
  return absl::ResourceExhaustedError(
      absl::StrCat("too many refused calls from ", key, "; retry in ", seconds, "s"));
}

void RefusalLimiter::RecordRefusal(const std::string& key) {
  absl::MutexLock lock(&mu_);
  if (buckets_.size() >= limits_.max_keys) ForgetFullBuckets();
  Bucket& bucket = Refilled(key);
  bucket.tokens = std::max(0.0, bucket.tokens - 1);
}

void RefusalLimiter::ForgetFullBuckets() {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& bucket = Refilled(it->first);
    it = bucket.tokens >= limits_.burst ? buckets_.erase(it) : std::next(it);
  }
  // Still full of keys being refused: drop some (in key order) rather than grow without bound.
  while (buckets_.size() >= limits_.max_keys) buckets_.erase(buckets_.begin());
}

RefusalLimiter& ProcessRefusalLimiter() {
  static RefusalLimiter* limiter = new RefusalLimiter(RefusalLimits{}, SystemClock::Get());
  return *limiter;
}

std::string PeerKey(const std::string& grpc_peer) {
  const size_t port = grpc_peer.rfind(':');
  const bool has_port = port != std::string::npos && grpc_peer.find(':') != port;
  return absl::StrCat("peer:", has_port ? grpc_peer.substr(0, port) : grpc_peer);
}

std::string SubjectKey(const std::string& subject) { return absl::StrCat("subject:", subject); }

}  // namespace breachd::service
