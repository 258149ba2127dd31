// Applies events from Kafka in a consumer group: one group per service, so every service sees
// every event once per group, and the partitions are shared among a service's instances.
//
// Delivery contract (at-least-once): an offset is committed only after the handler returned OK
// for that message, so after a crash, a restart or a rebalance the events since the last
// commit are delivered again. The handler therefore MUST ignore an event id it has already
// applied and must apply each event atomically with remembering its id (EventStore's
// ApplyConsumed does both). A handler error makes the loop seek back to that message and
// retry it after a back-off: later messages of that partition wait, nothing is skipped. Only
// errors that can pass (UNAVAILABLE, ABORTED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED) are retried;
// an event that fails for good goes to `on_poison` (which parks it where the operator sees it)
// and the loop goes on. A message whose value is not an EventEnvelope is logged, counted and
// committed.
//
// No silent skip: when the broker no longer has the next offset of a partition (retention,
// truncation, a new broker), librdkafka resets the partition to the earliest offset it still
// has and says so in its log; the loop watches for that line, logs the gap as an error with
// the partition and offset, counts it and calls `on_gap`, so the caller catches up from the
// source stores. (auto.offset.reset=error would stop the partition, and librdkafka 2.0.2
// refuses to seek a stopped partition: re-reading from the earliest is the same outcome.)
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/bus/bus.h"
#include "libs/bus/kafka_client.h"
#include "libs/common/clock.h"

namespace breachd::bus {

struct ConsumerLoopOptions {
  std::string group_id;  // required, e.g. "breachd-register"
  std::vector<std::string> topics = {kBreachEventsTopic};
  // Handler-failure back-off: starts at `min`, doubles per consecutive failure, capped at `max`.
  absl::Duration retry_backoff_min = absl::Milliseconds(100);
  absl::Duration retry_backoff_max = absl::Seconds(5);
  // Stored offsets are committed at most this often (and always on revoke and Stop).
  absl::Duration commit_interval = absl::Milliseconds(200);
  // Times the commit interval. Not owned; must outlive the loop. (The poll timeout and the
  // default retry wait stay on real time: they pace librdkafka and the loop thread.)
  const Clock* clock = &SystemClock::Get();
  // Waits out a retry back-off on the loop thread. Tests replace it to avoid real waiting.
  // Default: waits `delay`, returning early when Stop() is called.
  std::function<void(absl::Duration delay)> wait_for_retry = nullptr;
  // Runs before stored offsets are committed; the commit waits until it succeeds. A handler
  // that applies events without fsync makes them durable here, so one sync covers every event
  // since the last commit, and a committed offset still never passes an effect that a crash
  // could lose.
  std::function<absl::Status()> before_commit = nullptr;
  // Called (on a librdkafka thread) when a partition's position was gone from the broker.
  std::function<void(const OffsetReset& gap)> on_gap = nullptr;
  // Called on the loop thread when this consumer is given partitions of the first topic (with
  // the topic's partition count) and when they are taken away, for a service whose instances
  // split the breaches by partition (partition_ownership.h). Assigned is called after the
  // assignment is in effect, revoked before the partitions move on.
  std::function<void(const std::vector<int32_t>& partitions, int32_t partition_count)>
      on_assigned = nullptr;
  std::function<void(const std::vector<int32_t>& partitions)> on_revoked = nullptr;
  // Called for an event the handler failed for good; it should park the event durably. If it
  // returns an error the event is retried like a transient failure.
  std::function<absl::Status(const breach::v1::EventEnvelope& event, const absl::Status& error)>
      on_poison = nullptr;
};

// Whether a handler error may pass by itself, so that retrying the same event makes sense.
bool IsRetryable(const absl::Status& status);

struct ConsumerLoopCounters {
  uint64_t applied = 0;          // messages the handler returned OK for
  uint64_t malformed = 0;        // messages skipped because they did not parse
  uint64_t handler_errors = 0;   // handler failures (each one is retried)
  uint64_t rebalances = 0;       // partition assignments received
  uint64_t commits = 0;          // successful offset commits
  uint64_t gaps = 0;             // partitions whose position was gone from the broker
  uint64_t poisoned = 0;         // events the handler failed for good (parked)
};

class ConsumerLoop {
 public:
  static absl::StatusOr<std::unique_ptr<ConsumerLoop>> Start(const BusConfig& config,
                                                             ConsumerLoopOptions options,
                                                             EventHandler handler);
  ~ConsumerLoop();  // Stop()
  ConsumerLoop(const ConsumerLoop&) = delete;
  ConsumerLoop& operator=(const ConsumerLoop&) = delete;

  // Commits what was applied, leaves the group and joins the thread. Idempotent.
  void Stop();

  ConsumerLoopCounters counters() const;

  // The first topic's partition count from the broker's metadata (0 if it cannot say, within
  // 5 s). Safe from any thread.
  int32_t PartitionCount();

 private:
  ConsumerLoop(ConsumerLoopOptions options, EventHandler handler);

  void Run();
  void HandleMessage(const rd_kafka_message_t& message);
  // The broker lacked a partition's position (librdkafka reset it to the earliest).
  void HandleGap(const OffsetReset& gap);
  static void OnLog(const rd_kafka_t* rk, int level, const char* facility, const char* message);
  // Marks `message` done: its next offset becomes committable.
  void StoreOffset(const rd_kafka_message_t& message);
  // Rewinds the message's partition to it, so that the next poll returns it again.
  void SeekBack(const rd_kafka_message_t& message);
  void CommitStored();
  void DefaultWaitForRetry(absl::Duration delay);
  bool stopping() const;

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void Rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  // The first topic's partitions in `list`.
  std::vector<int32_t> OwnPartitions(const rd_kafka_topic_partition_list_t& list) const;

  const ConsumerLoopOptions options_;
  const EventHandler handler_;
  KafkaHandle consumer_;

  absl::Duration next_backoff_;      // loop thread only
  bool uncommitted_ = false;         // loop thread only: offsets stored since last commit
  absl::Time last_commit_;           // loop thread only

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> malformed_{0};
  std::atomic<uint64_t> handler_errors_{0};
  std::atomic<uint64_t> rebalances_{0};
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> gaps_{0};
  std::atomic<uint64_t> poisoned_{0};

  std::thread thread_;
};

}  // namespace breachd::bus
