// The RocksDB implementation of EventStore.
//
// Appends to different streams run in parallel: each holds only its own stream's lock across the
// synced write (which keeps that stream's chain consistent) and takes the store-wide mutex just
// long enough to reserve global positions, so RocksDB can group-commit many threads' batches
// under one fsync.
#include "libs/eventstore/rocksdb_event_store.h"

#include <algorithm>
#include <ctime>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/eventstore/append_validation.h"
#include "libs/eventstore/chain_verifier.h"
#include "libs/eventstore/checkpoint.h"
#include "libs/eventstore/database.h"
#include "libs/eventstore/disk_reserve.h"
#include "libs/eventstore/event_hash.h"
#include "libs/eventstore/event_store.h"
#include "libs/eventstore/signing_key.h"
#include "libs/eventstore/storage_layout.h"
#include "libs/eventstore/write_gate.h"
#include "rocksdb/write_batch.h"

namespace breachd::eventstore {
namespace {

// Rows deleted or requeued per batch by the bulk operations, to bound memory.
constexpr size_t kBulkBatchRows = 1000;
// How often a store whose writes RocksDB refuses asks it to resume.
constexpr absl::Duration kResumeBackoff = absl::Seconds(1);
// ReadStreams steps its event iterator forward over at most this many positions before it seeks.
constexpr uint64_t kStepRatherThanSeek = 16;
// How often the checkpointer looks whether a checkpoint is due.
constexpr absl::Duration kCheckpointPoll = absl::Seconds(1);

// What the store caches about one stream: its last durable version and hash. Loaded lazily.
struct StreamHeadCache {
  absl::Mutex mu;  // held across the stream's whole append, including the write
  bool loaded ABSL_GUARDED_BY(mu) = false;
  uint64_t version ABSL_GUARDED_BY(mu) = 0;
  std::string hash ABSL_GUARDED_BY(mu);
};

std::unique_ptr<rocksdb::Iterator> Iterate(const Database& database,
                                           rocksdb::ColumnFamilyHandle* family) {
  return std::unique_ptr<rocksdb::Iterator>(
      database.db()->NewIterator(rocksdb::ReadOptions(), family));
}

void AddRowsTo(rocksdb::ColumnFamilyHandle* family, const std::vector<ProjectionWrite>& rows,
               rocksdb::WriteBatch& batch) {
  for (const ProjectionWrite& row : rows) {
    if (row.erase) {
      batch.Delete(family, row.key);
    } else {
      batch.Put(family, row.key, row.value);
    }
  }
}

void AddProjectionWrites(const Database& database, const std::vector<ProjectionWrite>& rows,
                         rocksdb::WriteBatch& batch) {
  if (!rows.empty()) AddRowsTo(database.projections(), rows, batch);
}

class RocksDbEventStore final : public EventStore {
 public:
  RocksDbEventStore(std::unique_ptr<Database> database, Options options, uint64_t last_position,
                    const std::string& path)
      : db_(std::move(database)),
        options_(options),
        gate_(*db_->db(), *options_.clock, kResumeBackoff),
        reserve_(options_.disk_reserve_bytes, options_.free_disk_bytes
                                                  ? options_.free_disk_bytes
                                                  : DiskReserve::StatVfs(path),
                 *options_.clock),
        next_position_(last_position + 1) {
    write_options_.sync = options_.sync;
    trusted_public_key_ = options_.trusted_public_key;
    if (trusted_public_key_.empty() && options_.signing_key) {
      trusted_public_key_ = options_.signing_key->public_key();
    }
  }

  // Starts the thread that signs checkpoints (with a signing key).
  void StartCheckpointer() {
    if (!options_.signing_key) return;
    if (absl::StatusOr<std::optional<Checkpoint>> latest = LatestCheckpoint();
        latest.ok() && !*latest && LastPosition() > 0) {
      // Either the store predates signed checkpoints or its checkpoints were deleted; the first
      // checkpoint will vouch for whatever it holds now.
      log::Error("store holds events but no signed checkpoint; signing its current heads",
                 {{"events_through", absl::StrCat(LastPosition())}});
    }
    checkpointer_ = std::thread([this] { RunCheckpointer(); });
  }

  // A clean close signs the heads it leaves behind.
  ~RocksDbEventStore() override {
    if (!options_.signing_key) return;
    {
      absl::MutexLock lock(&checkpointer_mu_);
      stopping_ = true;
    }
    if (checkpointer_.joinable()) checkpointer_.join();
    if (absl::StatusOr<std::optional<Checkpoint>> last = WriteCheckpoint(); !last.ok()) {
      log::Warn("no checkpoint signed at close", {{"error", last.status().ToString()}});
    }
  }

  absl::StatusOr<std::optional<Checkpoint>> WriteCheckpoint() override {
    if (!options_.signing_key) {
      return absl::FailedPreconditionError("this store has no signing key");
    }
    absl::MutexLock lock(&checkpoint_write_mu_);
    // Every append at or below `position` has finished, so the snapshot holds all of them.
    const uint64_t position = LastPosition();
    ASSIGN_OR_RETURN(std::optional<Checkpoint> latest, LatestCheckpoint());
    if (position == 0 || (latest && latest->position >= position)) return latest;
    if (latest) {
      // Never sign over a store that no longer matches its last checkpoint (rewritten while
      // down): that would bury the evidence under a fresh signature.
      VerifyReport previous;
      previous.events_checked = 1;
      RETURN_IF_ERROR(CheckLatestCheckpoint(*db_, trusted_public_key_, previous,
                                            options_.earlier_public_keys));
      if (!previous.ok) {
        return absl::DataLossError(
            absl::StrCat("refusing to sign a checkpoint: ", previous.problem));
      }
    }
    const rocksdb::Snapshot* snapshot = db_->db()->GetSnapshot();
    absl::Cleanup release = [&] { db_->db()->ReleaseSnapshot(snapshot); };
    rocksdb::ReadOptions read;
    read.snapshot = snapshot;
    ASSIGN_OR_RETURN(Checkpoint checkpoint, SignCheckpoint(*db_, *options_.signing_key, position,
                                                           options_.clock->Now(), read));
    rocksdb::WriteBatch batch;
    batch.Put(db_->meta(), layout::CheckpointKey(position), layout::EncodeCheckpoint(checkpoint));
    RETURN_IF_ERROR(Write(write_options_, batch, "write checkpoint"));
    return checkpoint;
  }

  absl::StatusOr<std::optional<Checkpoint>> LatestCheckpoint() override {
    return ReadLatestCheckpoint(*db_);
  }

  absl::StatusOr<AppendResult> Append(AppendRequest request) override {
    absl::Cleanup observe = [this, started = absl::Now()] {
      if (options_.append_observer) options_.append_observer(absl::Now() - started);
    };
    RETURN_IF_ERROR(ValidateAppendRequest(request));
    RETURN_IF_ERROR(CheckWritable());
    std::shared_ptr<StreamHeadCache> stream = StreamCache(request.stream_id);
    absl::MutexLock stream_lock(&stream->mu);
    RETURN_IF_ERROR(LoadHead(request.stream_id, *stream));

    // Claim the event ids first, so no other stream can store them between our idempotency
    // check and our write.
    std::vector<std::string> event_ids;
    for (const EventEnvelope& event : request.events) event_ids.push_back(event.event_id());
    RETURN_IF_ERROR(ClaimEventIds(event_ids));
    struct IdRelease {
      RocksDbEventStore* store;
      const std::vector<std::string>* event_ids;
      ~IdRelease() { store->ReleaseEventIds(*event_ids); }
    } id_release{this, &event_ids};

    ASSIGN_OR_RETURN(std::optional<AppendResult> retry, FindStoredRetry(request));
    if (retry) return *std::move(retry);
    if (request.expected_version && *request.expected_version != stream->version) {
      return absl::AbortedError(absl::StrCat("stream ", request.stream_id, " is at version ",
                                             stream->version, ", expected_version was ",
                                             *request.expected_version));
    }

    const uint64_t first_position = ReservePositions(request.events.size());
    rocksdb::WriteBatch batch;
    AppendResult result;
    result.events = SealEvents(std::move(request.events), request.stream_id, first_position,
                               stream->version, stream->hash);
    AddEvents(result.events, request.publish, batch);
    AddProjectionWrites(*db_, request.projection, batch);
    if (!request.consumed_event_id.empty()) {
      batch.Put(db_->consumed(), request.consumed_event_id, rocksdb::Slice());
    }
    const layout::StreamHead head{result.events.back().stream_version(),
                                  result.events.back().hash()};
    batch.Put(db_->meta(), layout::StreamHeadKey(request.stream_id),
              layout::EncodeStreamHead(head));

    rocksdb::WriteOptions write_options = write_options_;
    write_options.sync = write_options_.sync && request.sync;
    absl::Status written =
        Write(write_options, batch, absl::StrCat("append to stream ", request.stream_id));
    ReleasePositions(first_position);
    if (!written.ok()) {
      // Whether any of it reached the disk is unknown: re-read the head on the next append.
      stream->loaded = false;
      return written;
    }
    stream->version = head.version;
    stream->hash = head.hash;
    return result;
  }

  absl::StatusOr<std::vector<AppendResult>> AppendAcrossStreams(
      std::vector<AppendRequest> requests) override {
    absl::Cleanup observe = [this, started = absl::Now()] {
      if (options_.append_observer) options_.append_observer(absl::Now() - started);
    };
    if (requests.empty()) return std::vector<AppendResult>{};
    std::vector<std::string> event_ids;
    // Streams are locked in id order, so two multi-stream appends never wait on each other.
    std::sort(requests.begin(), requests.end(),
              [](const AppendRequest& a, const AppendRequest& b) { return a.stream_id < b.stream_id; });
    for (size_t i = 0; i < requests.size(); ++i) {
      RETURN_IF_ERROR(ValidateAppendRequest(requests[i]));
      if (i > 0 && requests[i].stream_id == requests[i - 1].stream_id) {
        return absl::InvalidArgumentError(
            absl::StrCat("stream ", requests[i].stream_id, " appears twice"));
      }
      for (const EventEnvelope& event : requests[i].events) event_ids.push_back(event.event_id());
    }
    RETURN_IF_ERROR(CheckWritable());
    std::vector<std::shared_ptr<StreamHeadCache>> streams;
    for (const AppendRequest& request : requests) streams.push_back(StreamCache(request.stream_id));
    for (auto& stream : streams) stream->mu.Lock();
    absl::Cleanup unlock = [&streams] {
      for (auto& stream : streams) stream->mu.Unlock();
    };
    RETURN_IF_ERROR(ClaimEventIds(event_ids));
    absl::Cleanup release = [this, &event_ids] { ReleaseEventIds(event_ids); };
    for (size_t i = 0; i < requests.size(); ++i) {
      const AppendRequest& request = requests[i];
      RETURN_IF_ERROR(LoadHead(request.stream_id, *streams[i]));
      ASSIGN_OR_RETURN(std::optional<AppendResult> retry, FindStoredRetry(request));
      if (retry) {
        return absl::AlreadyExistsError(
            absl::StrCat("the events for stream ", request.stream_id, " are already stored"));
      }
      if (request.expected_version && *request.expected_version != streams[i]->version) {
        return absl::AbortedError(absl::StrCat("stream ", request.stream_id, " is at version ",
                                               streams[i]->version, ", expected_version was ",
                                               *request.expected_version));
      }
    }
    const uint64_t first_position = ReservePositions(event_ids.size());
    rocksdb::WriteBatch batch;
    std::vector<AppendResult> results(requests.size());
    std::vector<layout::StreamHead> heads;
    uint64_t position = first_position;
    for (size_t i = 0; i < requests.size(); ++i) {
      AppendRequest& request = requests[i];
      const size_t count = request.events.size();
      results[i].events = SealEvents(std::move(request.events), request.stream_id, position,
                                     streams[i]->version, streams[i]->hash);
      position += count;
      AddEvents(results[i].events, request.publish, batch);
      AddProjectionWrites(*db_, request.projection, batch);
      if (!request.consumed_event_id.empty()) {
        batch.Put(db_->consumed(), request.consumed_event_id, rocksdb::Slice());
      }
      heads.push_back({results[i].events.back().stream_version(), results[i].events.back().hash()});
      batch.Put(db_->meta(), layout::StreamHeadKey(request.stream_id),
                layout::EncodeStreamHead(heads.back()));
    }
    absl::Status written = Write(write_options_, batch,
                                 absl::StrCat("append to ", requests.size(), " streams"));
    ReleasePositions(first_position);
    for (size_t i = 0; i < streams.size(); ++i) {
      if (!written.ok()) {
        streams[i]->loaded = false;  // whether any of it reached the disk is unknown
        continue;
      }
      streams[i]->version = heads[i].version;
      streams[i]->hash = heads[i].hash;
    }
    if (!written.ok()) return written;
    return results;
  }

  absl::StatusOr<std::vector<EventEnvelope>> ReadStream(const std::string& stream_id,
                                                        uint64_t from_version) override {
    std::vector<EventEnvelope> events;
    const std::string prefix = layout::StreamPrefix(stream_id);
    auto index = Iterate(*db_, db_->stream_index());
    for (index->Seek(layout::StreamKey(stream_id, std::max<uint64_t>(from_version, 1)));
         index->Valid() && index->key().starts_with(prefix); index->Next()) {
      ASSIGN_OR_RETURN(EventEnvelope event, EventAtIndexValue(index->value().ToStringView()));
      events.push_back(std::move(event));
    }
    RETURN_IF_ERROR(FromRocksStatus(index->status(), "read stream"));
    return events;
  }

  absl::StatusOr<uint64_t> StreamVersion(const std::string& stream_id) override {
    ASSIGN_OR_RETURN(std::optional<layout::StreamHead> head, ReadHead(stream_id));
    return head ? head->version : 0;
  }

  absl::Status ReadAll(uint64_t from_position, const Visitor& visit) override {
    const uint64_t last = LastPosition();
    if (from_position > last) return absl::OkStatus();
    auto events = Iterate(*db_, db_->events());
    // One envelope for the whole scan: parsing into it reuses its strings (replays and the SIEM
    // feed read millions of events), and the visitor gets it by const reference.
    EventEnvelope event;
    for (events->Seek(layout::EncodePosition(from_position)); events->Valid(); events->Next()) {
      std::optional<uint64_t> position = layout::DecodePosition(events->key().ToStringView());
      if (!position) return absl::DataLossError("events column family holds a malformed key");
      if (*position > last) break;
      if (!event.ParseFromArray(events->value().data(), static_cast<int>(events->value().size()))) {
        return absl::DataLossError(
            absl::StrCat("event at position ", *position, " does not parse"));
      }
      ASSIGN_OR_RETURN(bool more, visit(event));
      if (!more) return absl::OkStatus();
    }
    return FromRocksStatus(events->status(), "read all");
  }

  absl::Status ReadStreams(uint64_t from_position, const StreamFilter& include,
                           const Visitor& visit) override {
    const uint64_t last = LastPosition();
    from_position = std::max<uint64_t>(from_position, 1);
    if (from_position > last) return absl::OkStatus();
    // Walk the shorter of the two: the events in the range (each parsed to learn its stream), or
    // the stream heads (keys only) and the accepted streams' index entries in the range.
    uint64_t streams = 0;
    db_->db()->GetIntProperty(db_->meta(), "rocksdb.estimate-num-keys", &streams);
    if (last - from_position < streams) return EventStore::ReadStreams(from_position, include, visit);
    ASSIGN_OR_RETURN(std::vector<uint64_t> positions, AcceptedPositions(from_position, last, include));
    auto events = Iterate(*db_, db_->events());
    EventEnvelope event;
    std::optional<uint64_t> at;  // where the iterator is
    for (uint64_t position : positions) {
      // Dense positions (a large share of the streams) step forward; sparse ones seek.
      if (at && *at < position && position - *at <= kStepRatherThanSeek) {
        while (events->Valid() && at && *at < position) {
          events->Next();
          at = events->Valid() ? layout::DecodePosition(events->key().ToStringView()) : std::nullopt;
        }
      } else {
        events->Seek(layout::EncodePosition(position));
      }
      at = events->Valid() ? layout::DecodePosition(events->key().ToStringView()) : std::nullopt;
      if (!events->Valid() ||
          layout::DecodePosition(events->key().ToStringView()) != std::optional<uint64_t>(position)) {
        RETURN_IF_ERROR(FromRocksStatus(events->status(), "read streams"));
        return absl::DataLossError(
            absl::StrCat("the stream index names position ", position, ", which holds no event"));
      }
      if (!event.ParseFromArray(events->value().data(), static_cast<int>(events->value().size()))) {
        return absl::DataLossError(
            absl::StrCat("event at position ", position, " does not parse"));
      }
      ASSIGN_OR_RETURN(bool more, visit(event));
      if (!more) return absl::OkStatus();
    }
    return absl::OkStatus();
  }

  uint64_t LastPosition() const override {
    absl::MutexLock lock(&positions_mu_);
    return in_flight_.empty() ? next_position_ - 1 : *in_flight_.begin() - 1;
  }

  absl::StatusOr<EventEnvelope> GetEvent(const std::string& event_id) override {
    ASSIGN_OR_RETURN(std::optional<std::string> position, db_->Get(db_->event_ids(), event_id));
    if (!position) return absl::NotFoundError(absl::StrCat("event ", event_id, " not found"));
    return EventAtIndexValue(*position);
  }

  absl::StatusOr<VerifyReport> Verify(const std::string& stream_id) override {
    ASSIGN_OR_RETURN(VerifyReport report, VerifyChains(*db_, stream_id));
    if (report.ok && stream_id.empty() && !trusted_public_key_.empty()) {
      RETURN_IF_ERROR(
          CheckLatestCheckpoint(*db_, trusted_public_key_, report, options_.earlier_public_keys));
    }
    return report;
  }

  absl::StatusOr<std::vector<EventEnvelope>> PendingOutbox(size_t limit) override {
    std::vector<EventEnvelope> events;
    uint64_t floor, requeues;
    {
      absl::MutexLock lock(&outbox_floor_mu_);
      floor = outbox_floor_;
      requeues = outbox_requeues_;
    }
    // Read before the iterator: every entry at or below it is written, so visible to it.
    const uint64_t final_position = LastPosition();
    auto outbox = Iterate(*db_, db_->outbox());
    // From the floor, not the first key: the acked entries below it are tombstones that a
    // scan from the start would step over one by one on every poll.
    for (outbox->Seek(layout::EncodePosition(floor)); outbox->Valid() && events.size() < limit;
         outbox->Next()) {
      ASSIGN_OR_RETURN(EventEnvelope event, EventAtIndexValue(outbox->key().ToStringView()));
      events.push_back(std::move(event));
    }
    RETURN_IF_ERROR(FromRocksStatus(outbox->status(), "read outbox"));
    // Nothing below the first entry found (nor above the final position, if none was) can
    // appear later, except through a requeue, which lowers the floor again after its write.
    uint64_t first = final_position + 1;
    if (!events.empty()) first = std::min(first, events.front().position());
    absl::MutexLock lock(&outbox_floor_mu_);
    if (requeues == outbox_requeues_) outbox_floor_ = std::max(outbox_floor_, first);
    return events;
  }

  // Entries were put back in the outbox (below the floor, perhaps): scans start at the first.
  void LowerOutboxFloor() {
    absl::MutexLock lock(&outbox_floor_mu_);
    ++outbox_requeues_;
    outbox_floor_ = 0;
  }

  absl::Status AckOutbox(const std::vector<uint64_t>& positions) override {
    rocksdb::WriteBatch batch;
    for (uint64_t position : positions)
      batch.Delete(db_->outbox(), layout::EncodePosition(position));
    return Write(write_options_, batch, "ack outbox");
  }

  absl::Status ParkOutbox(uint64_t position, const std::string& reason) override {
    const std::string key = layout::EncodePosition(position);
    absl::MutexLock lock(&park_mu_);
    ASSIGN_OR_RETURN(std::optional<std::string> entry, db_->Get(db_->outbox(), key));
    if (!entry) {
      return absl::NotFoundError(absl::StrCat("position ", position, " is not in the outbox"));
    }
    const layout::ParkedRecord record{absl::ToUnixMicros(options_.clock->Now()),
                                      layout::DecodeOutboxAttempts(*entry) + 1, reason};
    rocksdb::WriteBatch batch;
    batch.Delete(db_->outbox(), key);
    batch.Put(db_->parked(), key, layout::EncodeParkedRecord(record));
    return Write(write_options_, batch, "park outbox entry");
  }

  absl::StatusOr<std::vector<ParkedEvent>> ListParked() override {
    std::vector<ParkedEvent> parked;
    auto rows = Iterate(*db_, db_->parked());
    for (rows->SeekToFirst(); rows->Valid(); rows->Next()) {
      std::optional<layout::ParkedRecord> record =
          layout::DecodeParkedRecord(rows->value().ToStringView());
      if (!record) return absl::DataLossError("parked column family holds a malformed record");
      ASSIGN_OR_RETURN(EventEnvelope event, EventAtIndexValue(rows->key().ToStringView()));
      parked.push_back({event.position(), event.event_id(), event.stream_id(), event.type(),
                        record->reason, absl::FromUnixMicros(record->parked_at_unix_micros),
                        record->attempts});
    }
    RETURN_IF_ERROR(FromRocksStatus(rows->status(), "list parked"));
    return parked;
  }

  absl::StatusOr<uint64_t> RetryParked(std::optional<uint64_t> position) override {
    absl::MutexLock lock(&park_mu_);
    rocksdb::WriteBatch batch;
    auto requeue = [&](rocksdb::Slice key, std::string_view value) -> absl::Status {
      std::optional<layout::ParkedRecord> record = layout::DecodeParkedRecord(value);
      if (!record) return absl::DataLossError("parked column family holds a malformed record");
      batch.Delete(db_->parked(), key);
      batch.Put(db_->outbox(), key, layout::EncodeOutboxAttempts(record->attempts));
      return absl::OkStatus();
    };
    if (position) {
      const std::string key = layout::EncodePosition(*position);
      ASSIGN_OR_RETURN(std::optional<std::string> value, db_->Get(db_->parked(), key));
      if (!value) {
        return absl::NotFoundError(absl::StrCat("position ", *position, " is not parked"));
      }
      RETURN_IF_ERROR(requeue(key, *value));
    } else {
      auto rows = Iterate(*db_, db_->parked());
      for (rows->SeekToFirst(); rows->Valid(); rows->Next()) {
        RETURN_IF_ERROR(requeue(rows->key(), rows->value().ToStringView()));
      }
      RETURN_IF_ERROR(FromRocksStatus(rows->status(), "retry parked"));
    }
    const uint64_t retried = static_cast<uint64_t>(batch.Count()) / 2;
    RETURN_IF_ERROR(Write(write_options_, batch, "retry parked"));
    LowerOutboxFloor();
    return retried;
  }

  absl::Status ResumeWrites() override { return CheckWritable(); }

  absl::StatusOr<BackupRecord> Backup(const std::string& backup_dir) override {
    return BackupDatabase(*db_->db(), backup_dir);
  }

  absl::Status RequeueAllForPublish() override {
    absl::Status requeued = RequeueAll();
    LowerOutboxFloor();  // also after a partial requeue: what was written is in the outbox
    return requeued;
  }

  absl::Status RequeueAll() {
    std::set<std::string> parked;
    auto parked_rows = Iterate(*db_, db_->parked());
    for (parked_rows->SeekToFirst(); parked_rows->Valid(); parked_rows->Next()) {
      parked.insert(parked_rows->key().ToString());
    }
    RETURN_IF_ERROR(FromRocksStatus(parked_rows->status(), "read parked"));
    auto events = Iterate(*db_, db_->events());
    rocksdb::WriteBatch batch;
    for (events->SeekToFirst(); events->Valid(); events->Next()) {
      if (parked.contains(events->key().ToString())) continue;
      batch.Put(db_->outbox(), events->key(), rocksdb::Slice());
      if (batch.Count() >= static_cast<int>(kBulkBatchRows)) RETURN_IF_ERROR(WriteAndClear(batch));
    }
    RETURN_IF_ERROR(FromRocksStatus(events->status(), "requeue outbox"));
    return WriteAndClear(batch);
  }

  absl::StatusOr<std::optional<std::string>> GetProjection(const std::string& key) override {
    return db_->Get(db_->projections(), key);
  }

  absl::Status ScanProjection(const std::string& prefix, const std::string& start_after,
                              const RowVisitor& visit) override {
    auto rows = Iterate(*db_, db_->projections());
    rows->Seek(std::max(prefix, start_after));
    for (; rows->Valid() && rows->key().starts_with(prefix); rows->Next()) {
      if (!start_after.empty() && rows->key() == rocksdb::Slice(start_after)) continue;
      if (!visit(rows->key().ToString(), rows->value().ToString())) break;
    }
    return FromRocksStatus(rows->status(), "scan projection");
  }

  absl::StatusOr<bool> ApplyConsumed(const std::string& consumed_event_id,
                                     const std::vector<ProjectionWrite>& projection,
                                     bool sync) override {
    if (consumed_event_id.empty()) {
      return absl::InvalidArgumentError("consumed_event_id is required");
    }
    RETURN_IF_ERROR(ValidateProjectionWrites(projection, "projection"));
    // Only the same event id delivered twice at once waits; other ids apply in parallel.
    {
      absl::MutexLock lock(&consumed_mu_);
      while (consumed_in_flight_.contains(consumed_event_id)) consumed_done_.Wait(&consumed_mu_);
      consumed_in_flight_.insert(consumed_event_id);
    }
    absl::StatusOr<bool> applied = ApplyConsumedClaimed(consumed_event_id, projection, sync);
    absl::MutexLock lock(&consumed_mu_);
    consumed_in_flight_.erase(consumed_event_id);
    consumed_done_.SignalAll();
    return applied;
  }

  absl::StatusOr<bool> WasConsumed(const std::string& consumed_event_id) override {
    ASSIGN_OR_RETURN(std::optional<std::string> marker,
                     db_->Get(db_->consumed(), consumed_event_id));
    return marker.has_value();
  }

  absl::Status ResetProjections() override {
    for (rocksdb::ColumnFamilyHandle* family : {db_->projections(), db_->consumed()}) {
      auto rows = Iterate(*db_, family);
      rocksdb::WriteBatch batch;
      for (rows->SeekToFirst(); rows->Valid(); rows->Next()) {
        batch.Delete(family, rows->key());
        if (batch.Count() >= static_cast<int>(kBulkBatchRows))
          RETURN_IF_ERROR(WriteAndClear(batch));
      }
      RETURN_IF_ERROR(FromRocksStatus(rows->status(), "reset projections"));
      RETURN_IF_ERROR(WriteAndClear(batch));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> StageProjection() override {
    RETURN_IF_ERROR(CheckWritable());
    return db_->StageGeneration();
  }

  absl::Status WriteStagedProjection(uint64_t generation, std::vector<ProjectionWrite> rows,
                                     std::vector<std::string> consumed_event_ids) override {
    RETURN_IF_ERROR(ValidateProjectionWrites(rows, "rows"));
    RETURN_IF_ERROR(CheckWritable());
    // Held, then written as sorted table files and ingested at the next flush or when too much
    // is held (staged_tables.h): no memtable, no log (a staged generation is thrown away after a
    // crash anyway).
    return db_->WriteStaged(generation, std::move(rows), std::move(consumed_event_ids));
  }

  absl::Status FlushStagedProjection(uint64_t generation) override {
    return db_->FlushGeneration(generation);
  }

  absl::Status SwapProjection(uint64_t generation) override {
    RETURN_IF_ERROR(CheckWritable());
    return db_->SwapGeneration(generation);
  }

  absl::Status DiscardStagedProjection(uint64_t generation) override {
    return db_->DiscardGeneration(generation);
  }

  uint64_t ProjectionGeneration() const override { return db_->serving_generation(); }

  absl::Status WriteProjection(const std::vector<ProjectionWrite>& rows, bool sync) override {
    RETURN_IF_ERROR(ValidateProjectionWrites(rows, "rows"));
    if (!rows.empty()) {
      rocksdb::WriteBatch batch;
      AddProjectionWrites(*db_, rows, batch);
      rocksdb::WriteOptions write_options;
      write_options.sync = false;
      RETURN_IF_ERROR(Write(write_options, batch, "write projection"));
    }
    if (sync && options_.sync) {
      RETURN_IF_ERROR(CheckWritable());
      return gate_.Observe(db_->db()->SyncWAL(), "sync projection");
    }
    return absl::OkStatus();
  }

 private:
  // The positions in [from, last] of every stream `include` accepts, in order: each accepted
  // stream's index read backwards from its head until it falls below `from`.
  absl::StatusOr<std::vector<uint64_t>> AcceptedPositions(uint64_t from, uint64_t last,
                                                          const StreamFilter& include) {
    std::vector<uint64_t> positions;
    const std::string head_prefix = layout::StreamHeadKey("");
    auto heads = Iterate(*db_, db_->meta());
    auto index = Iterate(*db_, db_->stream_index());
    for (heads->Seek(head_prefix); heads->Valid() && heads->key().starts_with(head_prefix);
         heads->Next()) {
      const std::string_view stream = heads->key().ToStringView().substr(head_prefix.size());
      if (!include(stream)) continue;
      const std::string prefix = layout::StreamPrefix(stream);
      for (index->SeekForPrev(layout::StreamKey(stream, UINT64_MAX));
           index->Valid() && index->key().starts_with(prefix); index->Prev()) {
        std::optional<uint64_t> position = layout::DecodePosition(index->value().ToStringView());
        if (!position) return absl::DataLossError("stream index holds a malformed position");
        if (*position < from) break;
        if (*position <= last) positions.push_back(*position);
      }
      RETURN_IF_ERROR(FromRocksStatus(index->status(), "read stream index"));
    }
    RETURN_IF_ERROR(FromRocksStatus(heads->status(), "read stream heads"));
    std::sort(positions.begin(), positions.end());
    return positions;
  }

  // Signs within a poll of the first event, then at most every checkpoint_interval while
  // positions advance. Failures (a full disk) are logged and retried at the next poll.
  void RunCheckpointer() {
    absl::Time last_signed = absl::InfinitePast();
    uint64_t last_position = 0;
    if (absl::StatusOr<std::optional<Checkpoint>> latest = LatestCheckpoint();
        latest.ok() && *latest) {
      last_signed = absl::Now();
      last_position = (*latest)->position;
    }
    absl::MutexLock lock(&checkpointer_mu_);
    while (!checkpointer_mu_.AwaitWithTimeout(absl::Condition(&stopping_), kCheckpointPoll)) {
      const uint64_t position = LastPosition();
      const bool first = last_position == 0 && position > 0;
      if (!first && (position <= last_position ||
                     absl::Now() - last_signed < options_.checkpoint_interval)) {
        continue;
      }
      checkpointer_mu_.Unlock();
      absl::StatusOr<std::optional<Checkpoint>> signed_now = WriteCheckpoint();
      checkpointer_mu_.Lock();
      last_signed = absl::Now();  // after a failure, try again an interval later
      if (!signed_now.ok()) {
        log::Error("checkpoint not signed", {{"error", signed_now.status().ToString()}});
        continue;
      }
      if (*signed_now) last_position = (*signed_now)->position;
    }
  }

  absl::StatusOr<bool> ApplyConsumedClaimed(const std::string& consumed_event_id,
                                            const std::vector<ProjectionWrite>& projection,
                                            bool sync) {
    ASSIGN_OR_RETURN(bool already, WasConsumed(consumed_event_id));
    if (already) return false;
    rocksdb::WriteBatch batch;
    AddProjectionWrites(*db_, projection, batch);
    batch.Put(db_->consumed(), consumed_event_id, rocksdb::Slice());
    rocksdb::WriteOptions write_options = write_options_;
    write_options.sync = write_options_.sync && sync;
    RETURN_IF_ERROR(Write(write_options, batch, "apply consumed"));
    return true;
  }

  // Every write goes through the gates: refused at once while the disk is nearly full or RocksDB
  // is stopped by an I/O error.
  absl::Status Write(const rocksdb::WriteOptions& write_options, rocksdb::WriteBatch& batch,
                     absl::string_view what) {
    RETURN_IF_ERROR(CheckWritable());
    return gate_.Observe(db_->db()->Write(write_options, &batch), what);
  }

  absl::Status CheckWritable() {
    RETURN_IF_ERROR(reserve_.Check());
    return gate_.Check();
  }

  absl::Status WriteAndClear(rocksdb::WriteBatch& batch) {
    if (batch.Count() == 0) return absl::OkStatus();
    absl::Status status = Write(write_options_, batch, "bulk write");
    batch.Clear();
    return status;
  }

  std::shared_ptr<StreamHeadCache> StreamCache(const std::string& stream_id) {
    absl::MutexLock lock(&streams_mu_);
    std::shared_ptr<StreamHeadCache>& cache = streams_[stream_id];
    if (!cache) cache = std::make_shared<StreamHeadCache>();
    return cache;
  }

  absl::StatusOr<std::optional<layout::StreamHead>> ReadHead(const std::string& stream_id) const {
    ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                     db_->Get(db_->meta(), layout::StreamHeadKey(stream_id)));
    if (!bytes) return std::nullopt;
    std::optional<layout::StreamHead> head = layout::DecodeStreamHead(*bytes);
    if (!head) return absl::DataLossError(absl::StrCat("stream ", stream_id, " head is malformed"));
    return head;
  }

  absl::Status LoadHead(const std::string& stream_id, StreamHeadCache& stream)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(stream.mu) {
    if (stream.loaded) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::optional<layout::StreamHead> head, ReadHead(stream_id));
    stream.version = head ? head->version : 0;
    stream.hash = head ? head->hash : GenesisHash();
    stream.loaded = true;
    return absl::OkStatus();
  }

  absl::Status ClaimEventIds(const std::vector<std::string>& event_ids) {
    absl::MutexLock lock(&positions_mu_);
    for (size_t i = 0; i < event_ids.size(); ++i) {
      if (ids_in_flight_.contains(event_ids[i])) {
        return absl::AbortedError(absl::StrCat("events[", i, "].event_id ", event_ids[i],
                                               " is being appended to another stream"));
      }
    }
    ids_in_flight_.insert(event_ids.begin(), event_ids.end());
    return absl::OkStatus();
  }

  void ReleaseEventIds(const std::vector<std::string>& event_ids) {
    absl::MutexLock lock(&positions_mu_);
    for (const std::string& event_id : event_ids) ids_in_flight_.erase(event_id);
  }

  // An idempotent retry: every event id already stored in this stream. Nullopt for a new append.
  absl::StatusOr<std::optional<AppendResult>> FindStoredRetry(const AppendRequest& request) {
    AppendResult stored;
    stored.duplicate = true;
    size_t found = 0;
    for (size_t i = 0; i < request.events.size(); ++i) {
      const std::string& event_id = request.events[i].event_id();
      ASSIGN_OR_RETURN(std::optional<std::string> position, db_->Get(db_->event_ids(), event_id));
      if (!position) continue;
      ASSIGN_OR_RETURN(EventEnvelope event, EventAtIndexValue(*position));
      if (event.stream_id() != request.stream_id) {
        return absl::InvalidArgumentError(absl::StrCat("events[", i, "].event_id ", event_id,
                                                       " is already stored in another stream"));
      }
      stored.events.push_back(std::move(event));
      ++found;
    }
    if (found == 0) return std::nullopt;
    if (found < request.events.size()) {
      return absl::InvalidArgumentError(
          "events: some event ids are already stored and some are not (partial retry)");
    }
    return stored;
  }

  uint64_t ReservePositions(size_t count) {
    absl::MutexLock lock(&positions_mu_);
    const uint64_t first = next_position_;
    next_position_ += count;
    in_flight_.insert(first);
    return first;
  }

  void ReleasePositions(uint64_t first) {
    absl::MutexLock lock(&positions_mu_);
    in_flight_.erase(first);
  }

  // Gives the events their place in the stream and the store and links them into the chain.
  std::vector<EventEnvelope> SealEvents(std::vector<EventEnvelope> events,
                                        const std::string& stream_id, uint64_t first_position,
                                        uint64_t last_version, std::string previous_hash) const {
    const timespec now = absl::ToTimespec(options_.clock->Now());
    for (size_t i = 0; i < events.size(); ++i) {
      EventEnvelope& event = events[i];
      event.set_stream_id(stream_id);
      event.set_stream_version(last_version + i + 1);
      event.set_position(first_position + i);
      event.mutable_recorded_at()->set_seconds(now.tv_sec);
      event.mutable_recorded_at()->set_nanos(static_cast<int32_t>(now.tv_nsec));
      event.set_prev_hash(previous_hash);
      event.clear_hash();
      event.set_hash(ComputeEventHash(event));
      previous_hash = event.hash();
    }
    return events;
  }

  void AddEvents(const std::vector<EventEnvelope>& events, bool publish,
                 rocksdb::WriteBatch& batch) const {
    for (const EventEnvelope& event : events) {
      const std::string position = layout::EncodePosition(event.position());
      batch.Put(db_->events(), position, SerializeDeterministic(event));
      batch.Put(db_->stream_index(), layout::StreamKey(event.stream_id(), event.stream_version()),
                position);
      batch.Put(db_->event_ids(), event.event_id(), position);
      if (publish) batch.Put(db_->outbox(), position, rocksdb::Slice());
    }
  }

  // Reads the event an index entry (an encoded position) points at.
  absl::StatusOr<EventEnvelope> EventAtIndexValue(std::string_view encoded_position) const {
    std::optional<uint64_t> position = layout::DecodePosition(encoded_position);
    if (!position) return absl::DataLossError("index entry holds a malformed position");
    ASSIGN_OR_RETURN(std::optional<EventEnvelope> event, db_->ReadEventAt(*position));
    if (!event) {
      return absl::DataLossError(absl::StrCat("index points at missing position ", *position));
    }
    return *std::move(event);
  }

  const std::unique_ptr<Database> db_;
  const Options options_;
  rocksdb::WriteOptions write_options_;
  WriteGate gate_;
  DiskReserve reserve_;
  absl::Mutex park_mu_;  // parking and retrying read, then write, the same outbox entries
  // No outbox entry is below outbox_floor_ (PendingOutbox starts there); a requeue bumps
  // outbox_requeues_ and lowers it, so a scan that ran across the requeue cannot raise it.
  absl::Mutex outbox_floor_mu_;
  uint64_t outbox_floor_ ABSL_GUARDED_BY(outbox_floor_mu_) = 0;
  uint64_t outbox_requeues_ ABSL_GUARDED_BY(outbox_floor_mu_) = 0;

  absl::Mutex streams_mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<StreamHeadCache>> streams_
      ABSL_GUARDED_BY(streams_mu_);

  // Held only for bookkeeping, never across a RocksDB call.
  mutable absl::Mutex positions_mu_;
  uint64_t next_position_ ABSL_GUARDED_BY(positions_mu_);
  std::set<uint64_t> in_flight_ ABSL_GUARDED_BY(positions_mu_);  // first position of each append
  absl::flat_hash_set<std::string> ids_in_flight_ ABSL_GUARDED_BY(positions_mu_);

  absl::Mutex consumed_mu_;
  absl::flat_hash_set<std::string> consumed_in_flight_ ABSL_GUARDED_BY(consumed_mu_);
  absl::CondVar consumed_done_;

  std::string trusted_public_key_;  // empty: Verify checks no checkpoint
  absl::Mutex checkpoint_write_mu_;  // one checkpoint written at a time
  absl::Mutex checkpointer_mu_;
  bool stopping_ ABSL_GUARDED_BY(checkpointer_mu_) = false;
  std::thread checkpointer_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(const std::string& path,
                                                             Options options) {
  return OpenRocksDbEventStore(path, options, /*env=*/nullptr);
}

absl::StatusOr<std::unique_ptr<EventStore>> OpenRocksDbEventStore(const std::string& path,
                                                                  Options options,
                                                                  rocksdb::Env* env) {
  if (path.empty()) return absl::InvalidArgumentError("path is required");
  ASSIGN_OR_RETURN(std::unique_ptr<Database> database, Database::Open(path, env));
  ASSIGN_OR_RETURN(uint64_t last_position, database->LastStoredPosition());
  auto store = std::make_unique<RocksDbEventStore>(std::move(database), options, last_position,
                                                  path);
  store->StartCheckpointer();
  return std::unique_ptr<EventStore>(std::move(store));
}

}  // namespace breachd::eventstore
