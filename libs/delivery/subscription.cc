#include "libs/delivery/subscription.h"

#include <algorithm>

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
  const std::vector<int32_t> gained = options_.ownership->Assign(partitions, partition_count);
  log::Info("partitions assigned", {{"consumer", options_.consumer},
                                    {"partitions", absl::StrJoin(partitions, ",")},
                                    {"gained", absl::StrJoin(gained, ",")}});
  if (gained.empty()) return;
  // Under mu_ with Assign: a round that sees these partitions pending reads from the start.
  ++read_epoch_;
  for (auto& [name, source] : sources_) source.applied_through = 0;
  catch_up_requested_ = true;
}

void Subscription::Run() {
  while (true) {
    std::vector<std::string> names;
    std::vector<int32_t> pending;
    bool all_caught_up = true;
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
      options_.ownership->MarkCaughtUp(pending);
      log::Info("caught up on gained partitions; serving them",
                {{"consumer", options_.consumer}, {"partitions", absl::StrJoin(pending, ",")}});
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
