// Slows down whoever keeps getting refused: a token bucket per key ("subject:user:dpo" for a
// known caller refused authorization, "peer:ipv4:10.0.0.7" for calls whose token did not
// authenticate). Each refusal takes a token; a key whose bucket is empty is answered
// RESOURCE_EXHAUSTED, with the wait until its next token, before anything else is done for it.
// Buckets refill steadily, so a caller that stops being refused is soon served again.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace breachd::service {

struct RefusalLimits {
  int burst = 30;                             // refusals in a row before the limit bites
  absl::Duration refill = absl::Seconds(2);   // one refusal more allowed per this much time
  size_t max_keys = 10'000;                   // full buckets are forgotten beyond this
};

class RefusalLimiter {
 public:
  RefusalLimiter(RefusalLimits limits, const Clock& clock) : limits_(limits), clock_(clock) {}

  // OK while `key` has refusals left; RESOURCE_EXHAUSTED ("too many refused calls from KEY;
  // retry in 2s") when it has none.
  absl::Status CheckAllowed(const std::string& key);
  // Takes one refusal from `key`'s bucket.
  void RecordRefusal(const std::string& key);

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  // `key`'s bucket refilled up to now (mu_ held).
  Bucket& Refilled(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ForgetFullBuckets() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RefusalLimits limits_;
  const Clock& clock_;
  absl::Mutex mu_;
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

// The limiter every RpcGuard of this process shares (so the limit spans services).
RefusalLimiter& ProcessRefusalLimiter();

// The key of a peer address without its port: "ipv4:127.0.0.1:5555" -> "peer:ipv4:127.0.0.1".
std::string PeerKey(const std::string& grpc_peer);
std::string SubjectKey(const std::string& subject);

}  // namespace breachd::service
