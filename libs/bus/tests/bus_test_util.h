// Helpers for the bus integration tests: test events, a de-duplicating handler like the
// store's ApplyConsumed, bounded waiting, and raw librdkafka clients to look at the topic.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "libs/bus/bus.h"

namespace breachd::bus::testing {

// An event of stream `stream_id` at `version`, with a fresh event id.
breach::v1::EventEnvelope TestEvent(const std::string& stream_id, uint64_t version);

// Polls `done` every 10 ms until it is true or `timeout` passes; returns its last value.
bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(20));

// Applies each event id once, remembering duplicates; can be told to fail chosen attempts.
class DedupingHandler {
 public:
  // Called before applying; a non-OK status is returned to the consumer loop unapplied.
  void FailWith(std::function<absl::Status(const breach::v1::EventEnvelope&)> fault);
  EventHandler AsHandler();

  size_t applied_count() const;
  size_t duplicates() const;
  bool Saw(const std::string& event_id) const;
  // Versions applied for `stream_id`, in application order.
  std::vector<uint64_t> VersionsOf(const std::string& stream_id) const;

 private:
  absl::Status Handle(const breach::v1::EventEnvelope& event);

  mutable absl::Mutex mu_;
  std::function<absl::Status(const breach::v1::EventEnvelope&)> fault_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> applied_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<uint64_t>> versions_ ABSL_GUARDED_BY(mu_);
  size_t duplicates_ ABSL_GUARDED_BY(mu_) = 0;
};

struct RawMessage {
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
  int32_t partition = -1;
  int64_t offset = -1;
};

// Reads every message now in `topic`, from all partitions, without a consumer group (which
// would cost the mock broker's 3 s initial rebalance delay).
std::vector<RawMessage> ReadTopic(const BusConfig& config, const std::string& topic,
                                  absl::Duration timeout = absl::Seconds(20));

// The ce_id headers of `messages`.
std::set<std::string> EventIds(const std::vector<RawMessage>& messages);

// Consumer settings that keep the mock broker's group rebalances short in tests.
BusConfig FastGroupConfig(BusConfig config);

// Whether `group` has committed, on every partition of `topic`, the partition's end offset
// (asked with OffsetFetch; the caller does not join the group).
bool GroupCommittedEverything(const BusConfig& config, const std::string& group,
                              const std::string& topic);

// Produces one message with a plain (non-idempotent) producer and waits for it.
absl::Status ProduceRaw(const BusConfig& config, const std::string& topic,
                        const std::string& key, const std::string& value);

}  // namespace breachd::bus::testing
