// Publishes every event of a store to a SIEM sink (Kafka's breach.siem.v1, CEF over syslog), in
// store order, from a durable checkpoint of its own.
//
// Unlike the outbox relay it does not consume the store's outbox: it reads the store itself
// (EventStore::ReadAll) after the position in its checkpoint file, turns each event into its ECS
// document (ecs_document.h) on a few threads (each reads and builds a contiguous range of the
// batch's positions, so the batch stays in store order), hands a batch to the sink and, once the
// sink has delivered a prefix
// of it, records that prefix's last position, writing it to the checkpoint file (atomically,
// fsynced) at most every checkpoint_interval and on Stop. So a
// restart resumes where delivery stopped and never skips an event; what was delivered but not
// yet checkpointed when the process died is delivered again (at least once: consumers dedupe on
// event.id). A sink that cannot deliver (broker or collector down) holds the relay at its
// checkpoint, with a back-off; the store keeps everything meanwhile. Each sink has its own relay
// and checkpoint, so a slow syslog collector never holds up the Kafka feed.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "libs/eventstore/event_store.h"
#include "libs/siem/work_pool.h"

namespace breachd::siem {

// One event on its way to a sink: where it sits in the store, its key (the breach id, or the
// stream for events about no breach) and its ECS document as one line of JSON.
struct SiemRecord {
  uint64_t position = 0;
  std::string key;
  std::string json;
};

// Where a relay delivers. Called on the relay's thread only.
class SiemSink {
 public:
  virtual ~SiemSink() = default;
  // "kafka", "syslog": names the checkpoint file and the log lines.
  virtual std::string name() const = 0;
  // Delivers `records` in order; returns how many, from the front, are delivered (the rest is
  // offered again after a back-off). Returns early, with what it has, once `stopping` is set.
  virtual size_t Deliver(const std::vector<SiemRecord>& records,
                         const std::atomic<bool>& stopping) = 0;
};

// The checkpoint: the store position up to which every event has been delivered, in a file.
class SiemCheckpoint {
 public:
  explicit SiemCheckpoint(std::string path) : path_(std::move(path)) {}
  // 0 when the file does not exist yet (a new feed starts at the store's beginning);
  // DATA_LOSS for a file that is not a position.
  absl::StatusOr<uint64_t> Load() const;
  absl::Status Save(uint64_t position) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct SiemRelayOptions {
  size_t batch_size = 5000;
  // Threads reading and building a batch's documents (the caller's included), while the sink
  // delivers the batch before. 0: the machine's cores, at most 4.
  size_t build_threads = 0;
  // How often the checkpoint file is written (and fsynced) while events flow; also on Stop. A
  // crash loses at most this much progress, which is then delivered again: never skipped.
  absl::Duration checkpoint_interval = absl::Seconds(1);
  // How often the store is checked when nobody calls Notify().
  absl::Duration poll_interval = absl::Milliseconds(50);
  // Back-off after a failed delivery, doubling up to max_backoff.
  absl::Duration error_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(10);
};

struct SiemRelayCounters {
  uint64_t published = 0;  // events delivered and checkpointed
  uint64_t errors = 0;     // failed deliveries, store or checkpoint failures
  uint64_t checkpoint = 0; // the position delivered through (written at the next interval)
};

class SiemRelay {
 public:
  // Starts the relay thread at the checkpoint's position. `store` must outlive the relay.
  static absl::StatusOr<std::unique_ptr<SiemRelay>> Start(eventstore::EventStore& store,
                                                          std::unique_ptr<SiemSink> sink,
                                                          SiemCheckpoint checkpoint,
                                                          SiemRelayOptions options = {});
  ~SiemRelay();  // Stop()
  SiemRelay(const SiemRelay&) = delete;
  SiemRelay& operator=(const SiemRelay&) = delete;

  // Wakes the relay now (call it after an append).
  void Notify();
  // Lets the sink return what it has in hand, then joins. Idempotent.
  void Stop();

  SiemRelayCounters counters() const;
  const std::string& sink_name() const { return sink_name_; }

 private:
  SiemRelay(eventstore::EventStore& store, std::unique_ptr<SiemSink> sink,
            SiemCheckpoint checkpoint, SiemRelayOptions options, uint64_t position);
  void Run();
  // Reads up to batch_size events after `after` into `records` (in store order), reusing the
  // records' strings.
  absl::Status ReadBatch(uint64_t after, std::vector<SiemRecord>& records);
  void Wait(absl::Duration timeout);
  // Writes position_ to the checkpoint file if it moved; false (counted, logged) on failure.
  bool SaveCheckpoint();

  eventstore::EventStore& store_;
  std::unique_ptr<SiemSink> sink_;
  std::unique_ptr<WorkPool> builders_;
  const std::string sink_name_;
  const SiemCheckpoint checkpoint_;
  const SiemRelayOptions options_;
  uint64_t position_;  // relay thread only: delivered through
  uint64_t saved_;     // relay thread only: in the checkpoint file

  absl::Mutex mu_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> stopping_{false};

  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> errors_{0};
  std::atomic<uint64_t> checkpoint_position_{0};
  std::thread thread_;
};

}  // namespace breachd::siem
