#include "libs/delivery/subscription.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/log.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"

namespace breachd::delivery {
namespace {

using breach::v1::EventEnvelope;

constexpr char kParkedPrefix[] = "parked-consumed/";
// Bus positions kept above a checkpoint that does not move (an event the bus lost): beyond
// this they are forgotten, and the next catch-up covers them as before.
constexpr size_t kMaxBusAhead = 200'000;

}  // namespace

std::string CheckpointKey(const std::string& source) { return absl::StrCat("checkpoint/", source); }
std::string ParkedKey(const std::string& event_id) { return absl::StrCat(kParkedPrefix, event_id); }
std::string PartitionCheckpointKey(const std::string& source, int32_t count, int32_t partition) {
  return absl::StrCat(CheckpointKey(source), "#", count, "/", partition);
}

absl::StatusOr<std::unique_ptr<Subscription>> Subscription::Start(const bus::BusConfig& bus,
                                                                  SubscriptionOptions options,
                                                                  eventstore::EventStore& store,
                                                                  ConsumerHooks hooks) {
  if (options.consumer.empty()) return absl::InvalidArgumentError("consumer: empty");
  if (options.sources.empty()) return absl::InvalidArgumentError("sources: none");
  if (!hooks.apply || !hooks.make_durable) return absl::InvalidArgumentError("hooks: missing");
  if (!options.credentials) return absl::InvalidArgumentError("credentials: missing");
  std::unique_ptr<Subscription> subscription(
      new Subscription(std::move(options), store, std::move(hooks)));
  Subscription* self = subscription.get();
  RETURN_IF_ERROR(self->LoadCheckpoints());

  bus::ConsumerLoopOptions loop_options = self->options_.bus;
  loop_options.before_commit = [self] { return self->BeforeCommit(); };
  loop_options.on_gap = [self](const bus::OffsetReset&) { self->NoteGap(); };
  loop_options.on_poison = [self](const EventEnvelope& event, const absl::Status& error) {
    return self->Park(event, error);
  };
  if (self->options_.ownership != nullptr) {
    loop_options.on_assigned = [self](const std::vector<int32_t>& partitions, int32_t count) {
      self->OnAssigned(partitions, count);
    };
    loop_options.on_revoked = [self](const std::vector<int32_t>& partitions) {
      self->options_.ownership->Revoke(partitions);
    };
  }
  ASSIGN_OR_RETURN(self->loop_,
                   bus::ConsumerLoop::Start(bus, std::move(loop_options),
                                            [self](const EventEnvelope& event) {
                                              return self->ApplyFromBus(event);
                                            }));
  self->thread_ = std::thread([self] { self->Run(); });
  return subscription;
}

Subscription::Subscription(SubscriptionOptions options, eventstore::EventStore& store,
                           ConsumerHooks hooks)
    : options_(std::move(options)), store_(store), hooks_(std::move(hooks)) {
  absl::MutexLock lock(&mu_);
  for (const auto& [name, target] : options_.sources) {
    // "intake@HOST:PORT" is one of several intake instances: it serves the store "intake".
    sources_[name].reader = std::make_unique<SourceReader>(name.substr(0, name.find('@')), target,
                                                           options_.token, options_.credentials);
  }
  for (auto& [name, source] : sources_) {
    // Another instance ("intake@HOST:PORT" beside "intake") publishes under the same name.
    const bool alone = std::none_of(sources_.begin(), sources_.end(), [&](const auto& other) {
      return absl::StartsWith(other.first, absl::StrCat(name, "@"));
    });
    source.bus_checkpoints =
        options_.ownership == nullptr && name.find('@') == std::string::npos && alone;
  }
}

Subscription::~Subscription() { Stop(); }

void Subscription::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  sweep_alarm_.reset();
  if (loop_) loop_->Stop();
}

bool Subscription::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

absl::Status Subscription::LoadCheckpoints() {
  absl::MutexLock lock(&mu_);
  for (auto& [name, source] : sources_) {
    ASSIGN_OR_RETURN(std::optional<std::string> row, store_.GetProjection(CheckpointKey(name)));
    if (row.has_value() && !absl::SimpleAtoi(*row, &source.applied_through)) {
      return absl::DataLossError(absl::StrCat("checkpoint of ", name, " is unreadable: ", *row));
    }
    source.head = source.applied_through;
    source.written_through = source.applied_through;
  }
  return absl::OkStatus();
}

bool Subscription::AwaitStarted(absl::Duration timeout) {
  // Real time: the caller's own wait, not the subscription's timing.
  const absl::Time deadline = absl::Now() + timeout;
  {
    absl::MutexLock lock(&mu_);
    auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return first_round_done_; };
    if (!mu_.AwaitWithDeadline(absl::Condition(&done), deadline)) return false;
  }
  // A consumer group's first join takes seconds (the mock broker waits for more members);
  // saying "ready" before it would show an empty register right after the first report.
  while (loop_->counters().rebalances == 0) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

void Subscription::RequestCatchUp() {
  absl::MutexLock lock(&mu_);
  catch_up_requested_ = true;
}

void Subscription::NoteGap() {
  absl::MutexLock lock(&mu_);
  ++gaps_detected_;
  catch_up_requested_ = true;
}

void Subscription::OnAssigned(const std::vector<int32_t>& partitions, int32_t partition_count) {
  absl::MutexLock lock(&mu_);
  const bus::PartitionOwnership::View before = options_.ownership->view();
  const std::vector<int32_t> gained = options_.ownership->Assign(partitions, partition_count);
  log::Info("partitions assigned", {{"consumer", options_.consumer},
                                    {"partitions", absl::StrJoin(partitions, ",")},
                                    {"gained", absl::StrJoin(gained, ",")}});
  const bus::PartitionOwnership::View after = options_.ownership->view();
  if (before.applied == after.applied && before.partition_count == after.partition_count) return;
  // Under mu_ with Assign: a read or round begun before this sees the epoch move. Each gained
  // partition is read from its own checkpoint (0 for one never held here).
  ++read_epoch_;
  catch_up_requested_ = true;
}

void Subscription::Run() {
  while (true) {
    std::vector<std::string> names;
    std::vector<int32_t> pending;
    bool all_caught_up = true;
    uint64_t round_epoch;
    {
      absl::MutexLock lock(&mu_);
      auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || catch_up_requested_;
      };
      mu_.Await(absl::Condition(&wake));  // the sweep alarm requests a catch-up too
      if (stopping_) return;
      catch_up_requested_ = false;
      for (const auto& [name, source] : sources_) names.push_back(name);
      if (options_.ownership != nullptr) pending = options_.ownership->Pending();
      round_epoch = read_epoch_;
    }
    for (const std::string& name : names) {
      if (stopping()) return;
      const absl::Status status = CatchUp(name);
      // A fellow instance of this very consumer holds only what it recorded itself (reads of
      // its breaches); one that is down must not keep its partitions from being served
      // elsewhere: its events are merged when it is back (docs/scaling.md).
      all_caught_up &= status.ok() || absl::StartsWith(name, absl::StrCat(options_.consumer, "@"));
      absl::MutexLock lock(&mu_);
      Source& source = sources_.at(name);
      if (status.ok()) {
        source.last_error.clear();
      } else if (source.last_error != status.ToString()) {
        source.last_error = status.ToString();
        log::Warn("catch-up failed; will try again",
                  {{"consumer", options_.consumer}, {"source", name}, {"error", source.last_error}});
      }
    }
    if (all_caught_up && !pending.empty()) {
      // Under mu_, as OnAssigned: partitions that moved during the round wait for the next one.
      absl::MutexLock lock(&mu_);
      if (read_epoch_ != round_epoch) {
        catch_up_requested_ = true;
      } else {
        options_.ownership->MarkCaughtUp(pending);
        log::Info("caught up on gained partitions; serving them",
                  {{"consumer", options_.consumer}, {"partitions", absl::StrJoin(pending, ",")}});
      }
    }
    {
      absl::MutexLock lock(&mu_);
      first_round_done_ = true;
    }
    // Replaced outside mu_: cancelling waits for a running RequestCatchUp, which takes mu_.
    sweep_alarm_ = options_.clock->ScheduleAt(options_.clock->Now() + options_.sweep_interval,
                                              [this] { RequestCatchUp(); });
  }
}

absl::Status Subscription::CatchUp(const std::string& name) {
  if (options_.ownership != nullptr) return CatchUpPartitions(name);
  SourceReader* reader;
  uint64_t after;
  uint64_t gaps_before;
  uint64_t epoch;
  {
    absl::MutexLock lock(&mu_);
    reader = sources_.at(name).reader.get();
    after = sources_.at(name).applied_through;
    gaps_before = gaps_detected_;
    epoch = read_epoch_;
  }
  uint64_t applied_new = 0;
  ASSIGN_OR_RETURN(
      uint64_t head,
      reader->ReadAfter(after, [&](const std::vector<const EventEnvelope*>& events,
                                   uint64_t read_through) -> absl::Status {
        // A long catch-up must not hold a shutdown up: what is applied so far is checkpointed.
        if (stopping()) return absl::CancelledError("the subscription is stopping");
        const std::vector<bool> from_bus = DeliveredByBus(name, events);
        for (size_t i = 0; i < events.size(); ++i) {
          if (from_bus[i]) continue;  // applied already, beyond a hole the bus left
          ASSIGN_OR_RETURN(bool applied, ApplyOrPark(*events[i]));
          applied_new += applied;
        }
        // After the events it covers, in the same log: never claims more than survived.
        RETURN_IF_ERROR(store_.WriteProjection(
            {{CheckpointKey(name), absl::StrCat(read_through)}}, /*sync=*/false));
        absl::MutexLock lock(&mu_);
        Source& source = sources_.at(name);
        source.written_through = read_through;  // what the row says now
        if (epoch == read_epoch_) {
          source.applied_through = std::max(source.applied_through, read_through);
          JoinBusPositions(source);
        }
        source.head = std::max(source.head, read_through);
        return absl::OkStatus();
      }));
  RETURN_IF_ERROR(hooks_.make_durable());
  absl::MutexLock lock(&mu_);
  Source& source = sources_.at(name);
  source.head = std::max(source.head, head);
  ++source.catch_ups;
  source.caught_up_events += applied_new;
  source.gaps_repaired = gaps_before;
  source.last_catch_up = options_.clock->Now();
  if (applied_new > 0) {
    log::Info("caught up from the source store",
              {{"consumer", options_.consumer},
               {"source", name},
               {"applied", absl::StrCat(applied_new)},
               {"through", absl::StrCat(source.applied_through)}});
  }
  return absl::OkStatus();
}

absl::Status Subscription::CatchUpPartitions(const std::string& name) {
  bus::PartitionOwnership::View view;
  uint64_t epoch;
  {
    // Under mu_, as OnAssigned's Assign: the epoch is the one of these partitions.
    absl::MutexLock lock(&mu_);
    view = options_.ownership->view();
    epoch = read_epoch_;
  }
  if (view.partition_count == 0 || view.applied.empty()) return absl::OkStatus();  // none held
  using Checkpoints = std::map<int32_t, uint64_t>;
  ASSIGN_OR_RETURN(Checkpoints through,
                   PartitionCheckpoints(name, view.applied, view.partition_count));
  // Partitions with the same checkpoint are read together, the lowest first; each such read
  // ends at the head, above every other checkpoint. Once every group was read on its own, one
  // read of all from the lowest checkpoint left joins them up (it reads again only what came
  // in during the earlier reads).
  std::set<uint64_t> distinct;
  for (const auto& [partition, position] : through) distinct.insert(position);
  uint64_t head = 0;
  for (size_t group_reads = 0;; ++group_reads) {
    uint64_t lowest = UINT64_MAX;
    for (const auto& [partition, position] : through) lowest = std::min(lowest, position);
    std::vector<int32_t> group;
    for (const auto& [partition, position] : through) {
      if (position == lowest) group.push_back(partition);
    }
    const bool last = group.size() == through.size() || group_reads + 1 >= distinct.size();
    if (last) group = view.applied;
    ASSIGN_OR_RETURN(head, ReadPartitions(name, lowest, group, view.partition_count, epoch,
                                          through));
    if (last) break;
  }
  RETURN_IF_ERROR(hooks_.make_durable());
  absl::MutexLock lock(&mu_);
  Source& source = sources_.at(name);
  source.head = std::max(source.head, head);
  uint64_t lowest = UINT64_MAX;
  for (const auto& [partition, position] : through) lowest = std::min(lowest, position);
  source.applied_through = lowest;  // what the status shows: every held partition is past it
  ++source.catch_ups;
  source.last_catch_up = options_.clock->Now();
  return absl::OkStatus();
}

absl::StatusOr<std::map<int32_t, uint64_t>> Subscription::PartitionCheckpoints(
    const std::string& name, const std::vector<int32_t>& partitions, int32_t count) {
  std::map<int32_t, uint64_t> through;
  std::vector<int32_t> missing;
  {
    absl::MutexLock lock(&mu_);
    if (checkpoint_count_ != count) {
      // Another partition count moves every key: the checkpoints of the old one mean nothing.
      for (auto& [source_name, source] : sources_) source.partition_through.clear();
      checkpoint_count_ = count;
    }
    const std::map<int32_t, uint64_t>& cached = sources_.at(name).partition_through;
    for (int32_t partition : partitions) {
      if (auto it = cached.find(partition); it != cached.end()) {
        through[partition] = it->second;
      } else {
        missing.push_back(partition);
      }
    }
  }
  for (int32_t partition : missing) {
    const std::string key = PartitionCheckpointKey(name, count, partition);
    ASSIGN_OR_RETURN(std::optional<std::string> row, store_.GetProjection(key));
    uint64_t position = 0;
    if (row.has_value() && !absl::SimpleAtoi(*row, &position)) {
      return absl::DataLossError(absl::StrCat("checkpoint ", key, " is unreadable: ", *row));
    }
    through[partition] = position;
  }
  return through;
}

absl::StatusOr<uint64_t> Subscription::ReadPartitions(const std::string& name, uint64_t after,
                                                      const std::vector<int32_t>& partitions,
                                                      int32_t count, uint64_t epoch,
                                                      std::map<int32_t, uint64_t>& through) {
  SourceReader* reader;
  {
    absl::MutexLock lock(&mu_);
    reader = sources_.at(name).reader.get();
  }
  breach::v1::PartitionFilter filter;
  filter.set_partition_count(count);
  *filter.mutable_partitions() = {partitions.begin(), partitions.end()};
  *filter.mutable_unpartitioned_prefixes() = {options_.unpartitioned_prefixes.begin(),
                                              options_.unpartitioned_prefixes.end()};
  uint64_t applied_new = 0;
  absl::StatusOr<uint64_t> head = reader->ReadAfter(
      after,
      [&](const std::vector<const EventEnvelope*>& events, uint64_t read_through) -> absl::Status {
        if (stopping()) return absl::CancelledError("the subscription is stopping");
        // The hooks apply only what the ownership says is applied: events of a partition lost
        // during this batch may have been skipped, so the epoch is checked after the batch.
        for (const EventEnvelope* event : events) {
          ASSIGN_OR_RETURN(bool applied, ApplyOrPark(*event));
          applied_new += applied;
        }
        std::vector<eventstore::ProjectionWrite> rows;
        for (int32_t partition : partitions) {
          if (through[partition] >= read_through) continue;
          rows.push_back({PartitionCheckpointKey(name, count, partition), absl::StrCat(read_through)});
        }
        absl::MutexLock lock(&mu_);
        if (epoch != read_epoch_) {
          return absl::AbortedError("the partitions held changed during the read; read again");
        }
        // After the events they cover, in the same log: never claims more than survived. Under
        // mu_, so no assignment slips in between the check and the write.
        if (!rows.empty()) RETURN_IF_ERROR(store_.WriteProjection(rows, /*sync=*/false));
        Source& source = sources_.at(name);
        for (int32_t partition : partitions) {
          through[partition] = std::max(through[partition], read_through);
          source.partition_through[partition] = through[partition];
        }
        source.head = std::max(source.head, read_through);
        return absl::OkStatus();
      },
      &filter);
  absl::MutexLock lock(&mu_);
  sources_.at(name).caught_up_events += applied_new;
  if (applied_new > 0) {
    log::Info("caught up from the source store",
              {{"consumer", options_.consumer},
               {"source", name},
               {"partitions", absl::StrJoin(partitions, ",")},
               {"applied", absl::StrCat(applied_new)}});
  }
  return head;
}

absl::Status Subscription::ApplyFromBus(const EventEnvelope& event) {
  bool applied;
  {
    absl::MutexLock lock(&apply_mu_);
    ASSIGN_OR_RETURN(applied, hooks_.apply(event));
  }
  absl::MutexLock lock(&mu_);
  if (auto source = sources_.find(event.source()); source != sources_.end()) {
    // The bus is often first to show that a source has grown: the status shows the lag.
    source->second.head = std::max(source->second.head, event.position());
    source->second.bus_events += applied;
    if (source->second.bus_checkpoints && event.position() > source->second.applied_through) {
      source->second.bus_ahead.insert(event.position());
      JoinBusPositions(source->second);
    }
  }
  return absl::OkStatus();
}

std::vector<bool> Subscription::DeliveredByBus(const std::string& name,
                                               const std::vector<const EventEnvelope*>& events) {
  std::vector<bool> delivered(events.size(), false);
  absl::MutexLock lock(&mu_);
  const Source& source = sources_.at(name);
  if (!source.bus_checkpoints) return delivered;
  for (size_t i = 0; i < events.size(); ++i) {
    // Below the checkpoint: the bus joined it up with this read while it went on.
    const uint64_t position = events[i]->position();
    delivered[i] = position <= source.applied_through || source.bus_ahead.contains(position);
  }
  return delivered;
}

void Subscription::JoinBusPositions(Source& source) {
  std::set<uint64_t>& ahead = source.bus_ahead;
  while (!ahead.empty() && *ahead.begin() <= source.applied_through + 1) {
    source.applied_through = std::max(source.applied_through, *ahead.begin());
    ahead.erase(ahead.begin());
  }
  if (ahead.size() > kMaxBusAhead) ahead.clear();
}

absl::Status Subscription::BeforeCommit() {
  {
    // Under apply_mu_: every apply the checkpoints cover is written before them, and a
    // projection swap (Exclusively) does not run in between.
    absl::MutexLock apply_lock(&apply_mu_);
    std::vector<eventstore::ProjectionWrite> rows;
    std::vector<std::pair<Source*, uint64_t>> moved;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [name, source] : sources_) {
        if (!source.bus_checkpoints || source.applied_through <= source.written_through) continue;
        rows.push_back({CheckpointKey(name), absl::StrCat(source.applied_through)});
        moved.emplace_back(&source, source.applied_through);
      }
    }
    if (!rows.empty()) {
      RETURN_IF_ERROR(store_.WriteProjection(rows, /*sync=*/false));
      absl::MutexLock lock(&mu_);
      for (auto& [source, through] : moved) {
        source->written_through = std::max(source->written_through, through);
      }
    }
  }
  return hooks_.make_durable();
}

absl::StatusOr<bool> Subscription::ApplyOrPark(const EventEnvelope& event) {
  absl::StatusOr<bool> applied;
  {
    absl::MutexLock lock(&apply_mu_);
    applied = hooks_.apply(event);
  }
  if (applied.ok() || bus::IsRetryable(applied.status())) return applied;
  RETURN_IF_ERROR(Park(event, applied.status()));
  log::Error("catch-up: event failed for good; parked it and went on",
             {{"consumer", options_.consumer},
              {"event_id", event.event_id()},
              {"error", applied.status().ToString()}});
  return false;
}

absl::Status Subscription::Exclusively(const std::function<absl::Status()>& run) {
  absl::MutexLock lock(&apply_mu_);
  return run();
}

std::map<std::string, std::unique_ptr<SourceReader>> Subscription::NewReaders() const {
  std::map<std::string, std::unique_ptr<SourceReader>> readers;
  for (const auto& [name, target] : options_.sources) {
    readers[name] =
        std::make_unique<SourceReader>(name, target, options_.token, options_.credentials);
  }
  return readers;
}

std::vector<std::string> Subscription::RowPrefixes() {
  return {CheckpointKey(""), ParkedKey("")};
}

absl::Status Subscription::Park(const EventEnvelope& event, const absl::Status& error) {
  breach::v1::ParkedConsumerEvent parked;
  parked.set_consumer(options_.consumer);
  *parked.mutable_event() = event;
  parked.set_error(error.ToString());
  *parked.mutable_parked_at() = ProtoFromTime(options_.clock->Now());
  // Marked as consumed in the same batch: a redelivery no longer blocks what follows it.
  absl::MutexLock lock(&apply_mu_);
  return store_.ApplyConsumed(event.event_id(),
                              {{ParkedKey(event.event_id()), parked.SerializeAsString()}},
                              /*sync=*/true)
      .status();
}

std::vector<breach::v1::SourceDelivery> Subscription::Status() const {
  absl::MutexLock lock(&mu_);
  std::vector<breach::v1::SourceDelivery> out;
  for (const auto& [name, source] : sources_) {
    breach::v1::SourceDelivery& row = out.emplace_back();
    row.set_consumer(options_.consumer);
    row.set_source(name);
    row.set_applied_through(source.applied_through);
    row.set_source_head(source.head);
    row.set_lag(source.head - std::min(source.head, source.applied_through));
    row.set_gaps_detected(gaps_detected_);
    row.set_gaps_repaired(source.gaps_repaired);
    row.set_catch_ups(source.catch_ups);
    row.set_caught_up_events(source.caught_up_events);
    row.set_bus_events(source.bus_events);
    row.set_last_error(source.last_error);
    if (source.last_catch_up != absl::InfinitePast()) {
      *row.mutable_last_catch_up() = ProtoFromTime(source.last_catch_up);
    }
  }
  return out;
}

absl::StatusOr<std::vector<breach::v1::ParkedConsumerEvent>> Subscription::Parked() const {
  std::vector<breach::v1::ParkedConsumerEvent> parked;
  absl::Status row_status;
  RETURN_IF_ERROR(store_.ScanProjection(
      kParkedPrefix, "", [&](const std::string& key, const std::string& value) {
        if (!parked.emplace_back().ParseFromString(value)) {
          row_status = absl::DataLossError(absl::StrCat("parked row ", key, " is unreadable"));
          return false;
        }
        return true;
      }));
  RETURN_IF_ERROR(row_status);
  return parked;
}

}  // namespace breachd::delivery
