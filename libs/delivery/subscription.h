// A consumer's subscription to the events of the other services (and its own): the bus for
// speed, the source stores for completeness.
//
// - The bus (ConsumerLoop) delivers events within milliseconds. It is a transport, never a
//   store: the broker may drop old offsets, lose everything on restart, or never have seen the
//   early events.
// - Catch-up reads each source's store in order over gRPC (EventFeedService) from this
//   consumer's checkpoint for that source, and applies what is missing. It runs at start, when
//   the bus reports a gap, and every `sweep_interval` (a cheap call when nothing is missing).
// - The checkpoint of a source ("every event of it at a position <= N is applied") is written
//   after the events it covers, in the same write-ahead log, so it never claims more than
//   what survived a crash. Catch-up moves it (it reads the store in order), and so does the
//   bus: the positions it applied above the checkpoint are remembered, and the checkpoint
//   moves over them once they join up with it (they arrive out of order across partitions),
//   then is written before the offsets are committed. A sweep therefore starts where the bus
//   left off instead of re-reading what the bus already delivered. Only for a source that is
//   the one store of its service (an event on the bus names its service, not the instance
//   whose store it comes from), and not with `ownership` (there catch-up keeps a checkpoint
//   per partition, read from when a partition is gained).
// Both paths apply through one Applier (dedupe by event id), one event at a time. An event
// that fails for good is parked (kept, visible in the status) and the rest goes on.
#pragma once

#include <map>
#include <set>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "breach/v1/admin.pb.h"
#include "libs/bus/consumer_loop.h"
#include "libs/bus/partition_ownership.h"
#include "libs/common/clock.h"
#include "libs/delivery/source_reader.h"
#include "libs/eventstore/event_store.h"

namespace breachd::delivery {

struct SubscriptionOptions {
  std::string consumer;                        // the consuming service, e.g. "register"
  bus::ConsumerLoopOptions bus;                // group_id and tuning; hooks are set here
  // Source -> its gRPC address. A source is a service ("intake"), or one instance of a service
  // run as several ("intake@10.0.0.6:50051"), each with its own store and checkpoint.
  std::map<std::string, std::string> sources;
  std::string token;                           // bearer token with the service role
  // How to reach the sources: TLS or, explicitly, plaintext (grpcutil/tls.h). Required.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  absl::Duration sweep_interval = absl::Seconds(5);
  // Times the sweeps (an Alarm each) and stamps last_catch_up and parked_at. Not owned; must
  // outlive the subscription. The bus loop has its own, in `bus.clock`.
  const Clock* clock = &SystemClock::Get();
  // Set when several instances of the consumer split the breaches by partition (not owned;
  // outlives the subscription). The subscription keeps it true to the group's assignment and
  // reads only the held partitions (the feed's partition filter), each from its own checkpoint
  // (PartitionCheckpointKey; 0 for a partition never held here), so the gained breaches come
  // from the events, never from another instance's disk, and a restart with the same partitions
  // reads only what is new; a gained partition is served once a round that began after the
  // gain has read every source to its head. The hooks apply only what it says is applied.
  bus::PartitionOwnership* ownership = nullptr;
  // With `ownership`: the streams read whatever their partition (events about no breach or
  // several), by id prefix (EventConsumer::unpartitioned_stream_prefixes).
  std::vector<std::string> unpartitioned_prefixes = {};
};

struct ConsumerHooks {
  // Applies an event at most once (dedupe by event id), without fsync; true if it was new.
  std::function<absl::StatusOr<bool>(const breach::v1::EventEnvelope& event)> apply;
  // Makes every earlier apply durable (one fsync).
  std::function<absl::Status()> make_durable;
};

class Subscription {
 public:
  // `store` is the consumer's own store: checkpoints and parked events live there.
  static absl::StatusOr<std::unique_ptr<Subscription>> Start(const bus::BusConfig& bus,
                                                             SubscriptionOptions options,
                                                             eventstore::EventStore& store,
                                                             ConsumerHooks hooks);
  ~Subscription();  // Stop()
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  void Stop();

  // Waits until every source has been caught up once (or tried and failed) and the bus
  // consumer holds partitions; false if `timeout` passed first.
  bool AwaitStarted(absl::Duration timeout);
  // Asks for a catch-up of every source as soon as possible (does not wait for it).
  void RequestCatchUp();

  // Runs `run` while no event is applied or parked by either path (a projection's swap).
  absl::Status Exclusively(const std::function<absl::Status()>& run);
  // A new reader of each source's store, by source: for a rebuild that reads them on its own.
  std::map<std::string, std::unique_ptr<SourceReader>> NewReaders() const;
  // The key prefixes of the rows the subscription keeps in the consumer's store.
  static std::vector<std::string> RowPrefixes();

  std::vector<breach::v1::SourceDelivery> Status() const;
  absl::StatusOr<std::vector<breach::v1::ParkedConsumerEvent>> Parked() const;
  bus::ConsumerLoopCounters bus_counters() const { return loop_->counters(); }
  // The partition count of the consumed topic, from the broker (0 if it cannot say).
  int32_t PartitionCount() const { return loop_->PartitionCount(); }

 private:
  struct Source {
    std::unique_ptr<SourceReader> reader;
    uint64_t applied_through = 0;  // the checkpoint
    uint64_t written_through = 0;  // the checkpoint as last written by the bus path
    // Positions the bus applied above applied_through, waiting for the ones between.
    std::set<uint64_t> bus_ahead;
    // Whether the bus moves the checkpoint: the service's only store, no `ownership`.
    bool bus_checkpoints = false;
    // With `ownership`, by partition of the current count: every event of the partition's
    // streams and of the unpartitioned ones at a position <= this is applied (0 until loaded).
    std::map<int32_t, uint64_t> partition_through;
    uint64_t head = 0;             // highest position known to exist in the source store
    uint64_t gaps_repaired = 0;
    uint64_t catch_ups = 0;
    uint64_t caught_up_events = 0;
    uint64_t bus_events = 0;
    std::string last_error;
    absl::Time last_catch_up = absl::InfinitePast();
  };

  Subscription(SubscriptionOptions options, eventstore::EventStore& store, ConsumerHooks hooks);
  absl::Status LoadCheckpoints();
  void Run();
  absl::Status CatchUp(const std::string& name);
  // CatchUp with `ownership`: reads only the held partitions, each from its own checkpoint.
  absl::Status CatchUpPartitions(const std::string& name);
  // The checkpoints of `name` for `partitions` of `count`: cached, else from their rows.
  absl::StatusOr<std::map<int32_t, uint64_t>> PartitionCheckpoints(
      const std::string& name, const std::vector<int32_t>& partitions, int32_t count);
  // Reads `partitions` of `name` after `after` with the filter; their checkpoints follow.
  absl::StatusOr<uint64_t> ReadPartitions(const std::string& name, uint64_t after,
                                          const std::vector<int32_t>& partitions, int32_t count,
                                          uint64_t epoch, std::map<int32_t, uint64_t>& through);
  // The group gave this consumer `partitions` (ownership mode): gained ones are read anew.
  void OnAssigned(const std::vector<int32_t>& partitions, int32_t partition_count);
  // The bus path: the loop retries or parks (on_poison) on failure.
  absl::Status ApplyFromBus(const breach::v1::EventEnvelope& event);
  // The catch-up path: applies one event; parks it when it fails for good.
  absl::StatusOr<bool> ApplyOrPark(const breach::v1::EventEnvelope& event);
  absl::Status Park(const breach::v1::EventEnvelope& event, const absl::Status& error);
  // Which of a catch-up batch of `name` the bus has applied already (above the checkpoint).
  std::vector<bool> DeliveredByBus(const std::string& name,
                                   const std::vector<const breach::v1::EventEnvelope*>& events);
  // Moves a source's checkpoint over the bus positions that now join up with it.
  static void JoinBusPositions(Source& source);
  // Before the bus's offsets are committed: writes the checkpoints it moved, then syncs.
  absl::Status BeforeCommit();
  void NoteGap();
  bool stopping() const;

  const SubscriptionOptions options_;
  eventstore::EventStore& store_;
  const ConsumerHooks hooks_;
  std::unique_ptr<bus::ConsumerLoop> loop_;

  absl::Mutex apply_mu_;  // one event applied (or parked) at a time, from either path

  mutable absl::Mutex mu_;
  std::map<std::string, Source> sources_ ABSL_GUARDED_BY(mu_);
  uint64_t gaps_detected_ ABSL_GUARDED_BY(mu_) = 0;
  bool catch_up_requested_ ABSL_GUARDED_BY(mu_) = true;
  // Bumped whenever the partitions applied change: a read begun before it stops without moving
  // a checkpoint (the events of a partition lost meanwhile were skipped), and a round begun
  // before it serves nothing it gained.
  uint64_t read_epoch_ ABSL_GUARDED_BY(mu_) = 0;
  // The partition count every Source::partition_through is of (0: none loaded).
  int32_t checkpoint_count_ ABSL_GUARDED_BY(mu_) = 0;
  bool first_round_done_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  std::thread thread_;
  // The next sweep; only the Run thread (then Stop, after joining it) touches it.
  std::unique_ptr<Alarm> sweep_alarm_;
};

// Projection rows a subscription keeps in the consumer's store.
std::string CheckpointKey(const std::string& source);
// A partition's checkpoint of `source` with `count` partitions (ownership mode).
std::string PartitionCheckpointKey(const std::string& source, int32_t count, int32_t partition);
std::string ParkedKey(const std::string& event_id);

}  // namespace breachd::delivery
