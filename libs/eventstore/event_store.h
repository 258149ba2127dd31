// A service's durable, append-only, hash-chained event log on RocksDB.
//
// One store per service. Streams are keyed by breach id; every event also gets a global,
// monotonically increasing store position. Each append writes, in one atomic synced WriteBatch:
// the events, their idempotency index entries, their outbox entries (for the Kafka relay) and
// whatever projection rows the caller adds. Concurrent appenders to different streams are
// group-committed by RocksDB (sync=true from many threads), not serialised behind one lock.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "libs/common/clock.h"
#include "libs/eventstore/store_backup.h"

namespace breachd::eventstore {

using breach::v1::EventEnvelope;

// A row of a caller-defined projection, written in the same batch as the events.
// An empty `value` with `erase = true` deletes the row.
struct ProjectionWrite {
  std::string key;
  std::string value;
  bool erase = false;
};

// What a caller asks to append to one stream.
struct AppendRequest {
  std::string stream_id;
  // nullopt: append whatever the current version is. 0: the stream must not exist yet.
  // N: the stream's last version must be N, otherwise ABORTED.
  std::optional<uint64_t> expected_version;
  // The caller fills event_id, type, source, tenant, occurred_at, actor, causation_id,
  // correlation_id and payload. The store fills stream_id, stream_version, position,
  // recorded_at, prev_hash and hash.
  std::vector<EventEnvelope> events;
  std::vector<ProjectionWrite> projection;
  // Whether the events go to the outbox for publication on the bus.
  bool publish = true;
  // false: not fsynced. The write survives a crash of the process (RocksDB's log is written) but
  // not of the machine until a later synced write, or WriteProjection({}, true), makes it and
  // every earlier write durable. For consumers reacting to other services' events, which call
  // that before committing their offsets (EventConsumer::make_durable): a reaction lost with the
  // machine is redone from the redelivered event. An RPC's answer is always a synced append.
  bool sync = true;
  // Non-empty: the id of another service's event this append reacts to, marked consumed in the
  // same write (what ApplyConsumed marks), so a reaction costs one write. Not on an idempotent
  // retry (`duplicate`): the caller marks it then.
  std::string consumed_event_id;
};

struct AppendResult {
  // The events as stored (with versions, positions, hashes). For an idempotent retry
  // (all event ids already stored) these are the previously stored events.
  std::vector<EventEnvelope> events;
  bool duplicate = false;
};

// The first problem `Verify` found, or none.
struct VerifyReport {
  uint64_t streams_checked = 0;
  uint64_t events_checked = 0;
  bool ok = true;
  std::string first_bad_stream;    // stream of the first bad event
  uint64_t first_bad_version = 0;  // its version (or the missing version)
  std::string first_bad_event_id;
  std::string problem;  // human-readable: "hash mismatch", "version gap", ...
  // Whole-store verification with a trusted public key (Options::trusted_public_key) also checks
  // the latest signed checkpoint; these say which one it was.
  bool checkpoint_checked = false;
  uint64_t checkpoint_position = 0;
  absl::Time checkpoint_signed_at;
};

// A signed checkpoint (docs/event-store.md, "Signed checkpoints"): the SHA-256 digest of every
// stream head as of a global position, signed with the store's Ed25519 key.
struct Checkpoint {
  uint64_t position = 0;      // the heads are those of the events at or below this position
  uint64_t streams = 0;       // how many streams had events at or below it
  std::string heads_digest;   // 32 bytes
  absl::Time signed_at;
  std::string public_key;     // 32 bytes: the key that signed (verify checks with its own)
  std::string signature;      // 64 bytes, over CheckpointMessage (checkpoint.h)
};

class SigningKey;  // signing_key.h

// An outbox entry the bus refused for good (see docs/bus.md, "Parking"), as an operator sees it.
struct ParkedEvent {
  uint64_t position = 0;
  std::string event_id;
  std::string stream_id;
  std::string type;
  std::string reason;  // the broker's refusal, e.g. "Broker: Message size too large"
  absl::Time parked_at;
  uint32_t attempts = 0;  // how many times it has been parked (1 + retries that failed again)
};

struct Options {
  // Clock for recorded_at. Not owned; must outlive the store.
  const Clock* clock = &SystemClock::Get();
  // fsync every append (the default, and what the durability guarantee rests on).
  bool sync = true;
  // Writes are refused (UNAVAILABLE) while the store's disk has less free space than this, so
  // RocksDB never meets a full disk (see disk_reserve.h). 0 turns the check off.
  uint64_t disk_reserve_bytes = uint64_t{64} << 20;
  // Free bytes on the store's disk; empty means statvfs of the store's directory. For tests.
  std::function<absl::StatusOr<uint64_t>()> free_disk_bytes;
  // Told how long each Append took, whatever its outcome (metrics). Empty: nobody is told.
  std::function<void(absl::Duration took)> append_observer;
  // Signs checkpoints (WriteCheckpoint): every `checkpoint_interval` while events arrive, within
  // a second of the first event, and at close. nullptr: no checkpoints are written.
  std::shared_ptr<const SigningKey> signing_key;
  absl::Duration checkpoint_interval = absl::Minutes(1);
  // The Ed25519 public key (32 bytes) whole-store Verify() checks the latest checkpoint with;
  // empty: the signing key's public key, or no checkpoint check without a signing key either.
  std::string trusted_public_key;
  // Keys the signing key replaced (a verified key chain, key_chain.h): checkpoints signed with
  // them before the rotation still verify.
  std::vector<std::string> earlier_public_keys;
};

class EventStore {
 public:
  // Opens (creating if needed) the store in directory `path`.
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(const std::string& path,
                                                          Options options = {});
  virtual ~EventStore() = default;

  // Appends atomically. Errors: INVALID_ARGUMENT (empty stream id, no events, missing event id
  // or type, mixed tenants), ABORTED (expected_version mismatch), UNAVAILABLE (I/O).
  // If every event id is already stored in this stream, returns the stored events with
  // duplicate = true and writes nothing; a partial overlap is INVALID_ARGUMENT.
  virtual absl::StatusOr<AppendResult> Append(AppendRequest request) = 0;

  // Appends to several streams in one atomic, synced write (one fsync for all): what a sweep
  // that touches many streams at once needs. Each request is checked as Append checks it; the
  // streams must differ; every event id must be new (a retry of a stored batch is
  // ALREADY_EXISTS, not a silent duplicate). All or nothing. Test doubles inherit UNIMPLEMENTED.
  virtual absl::StatusOr<std::vector<AppendResult>> AppendAcrossStreams(
      std::vector<AppendRequest> requests) {
    return absl::UnimplementedError("AppendAcrossStreams");
  }

  // Events of one stream from `from_version` (1-based), in order. Empty if the stream is unknown.
  virtual absl::StatusOr<std::vector<EventEnvelope>> ReadStream(const std::string& stream_id,
                                                                uint64_t from_version = 1) = 0;
  // Current version of a stream (0 if it does not exist).
  virtual absl::StatusOr<uint64_t> StreamVersion(const std::string& stream_id) = 0;

  // Visits every event with position >= from_position in position order, until `visit` returns
  // false or a non-OK status (which is returned). Positions are monotonic but may have gaps (an
  // append that failed or was cut by a crash leaves its reserved positions unused). Only events up
  // to LastPosition() are visited, so a reader that resumes after the last position it saw never
  // skips an event that a slower concurrent append commits later.
  using Visitor = std::function<absl::StatusOr<bool>(const EventEnvelope&)>;
  virtual absl::Status ReadAll(uint64_t from_position, const Visitor& visit) = 0;
  // Highest position below which every append has finished (0 when empty): no event at or below
  // it can still appear.
  virtual uint64_t LastPosition() const = 0;

  // Like ReadAll, but visits only the events of the streams `include` accepts (a scaled-out
  // consumer's partitions, docs/scaling.md), still in position order and up to LastPosition().
  // The RocksDB store walks whichever is shorter: the events from `from_position` on, or its
  // stream heads and, for each accepted stream, its index back to `from_position`; so a read of
  // a few streams over a long history costs those streams' events, not the history. This
  // default filters ReadAll (test doubles).
  using StreamFilter = std::function<bool(std::string_view stream_id)>;
  virtual absl::Status ReadStreams(uint64_t from_position, const StreamFilter& include,
                                   const Visitor& visit) {
    return ReadAll(from_position, [&](const EventEnvelope& event) -> absl::StatusOr<bool> {
      return include(event.stream_id()) ? visit(event) : true;
    });
  }

  // Looks an event up by id (NOT_FOUND if absent).
  virtual absl::StatusOr<EventEnvelope> GetEvent(const std::string& event_id) = 0;

  // Re-checks the hash chain of one stream, or of every stream when `stream_id` is empty:
  // edited, deleted, inserted and reordered events are all found; the first bad one is named.
  // The whole store (empty `stream_id`) with a trusted public key also needs a latest checkpoint
  // whose signature verifies with that key and whose digest matches the heads at its position,
  // so a store rewritten wholesale with recomputed hashes fails too.
  virtual absl::StatusOr<VerifyReport> Verify(const std::string& stream_id = "") = 0;

  // Signs the stream heads as of LastPosition() with Options::signing_key and stores the
  // checkpoint, unless the latest checkpoint is already at that position (then returns it).
  // nullopt for an empty store; FAILED_PRECONDITION without a signing key.
  virtual absl::StatusOr<std::optional<Checkpoint>> WriteCheckpoint() {
    return absl::UnimplementedError("WriteCheckpoint");
  }
  // The latest stored checkpoint (nullopt: none).
  virtual absl::StatusOr<std::optional<Checkpoint>> LatestCheckpoint() {
    return absl::UnimplementedError("LatestCheckpoint");
  }

  // Outbox: events appended with publish=true and not yet acknowledged by the relay,
  // in position order, at most `limit`.
  virtual absl::StatusOr<std::vector<EventEnvelope>> PendingOutbox(size_t limit) = 0;
  // Removes delivered events from the outbox (by position).
  virtual absl::Status AckOutbox(const std::vector<uint64_t>& positions) = 0;
  // Puts every stored event back in the outbox (the embedded bus lost its topics); parked events
  // stay parked, as the bus would refuse them again.
  virtual absl::Status RequeueAllForPublish() = 0;

  // Parking: moves an outbox entry the bus refused for good out of the outbox, with the reason,
  // so the events behind it keep flowing. NOT_FOUND if `position` is not in the outbox.
  // Test doubles that do not need parking inherit UNIMPLEMENTED.
  virtual absl::Status ParkOutbox(uint64_t position, const std::string& reason) {
    return absl::UnimplementedError("ParkOutbox");
  }
  // Parked events in position order.
  virtual absl::StatusOr<std::vector<ParkedEvent>> ListParked() {
    return absl::UnimplementedError("ListParked");
  }
  // Puts one parked event (or all, with nullopt) back in the outbox; returns how many.
  // NOT_FOUND if the given position is not parked.
  virtual absl::StatusOr<uint64_t> RetryParked(std::optional<uint64_t> position) {
    return absl::UnimplementedError("RetryParked");
  }

  // Adds a consistent, verified backup of the whole store (every column family, one point in
  // time) to `backup_dir`, while the store keeps serving (store_backup.h). Test doubles inherit
  // UNIMPLEMENTED.
  virtual absl::StatusOr<BackupRecord> Backup(const std::string& backup_dir) {
    return absl::UnimplementedError("Backup");
  }

  // Whether the store takes writes: OK, or UNAVAILABLE with the cause when RocksDB went
  // read-only after an I/O error (a full disk). Reads keep working meanwhile. Each call (at most
  // once per back-off) asks RocksDB to resume, so writing comes back once the cause is gone.
  virtual absl::Status ResumeWrites() { return absl::OkStatus(); }

  // Projections. Keys are the caller's; the store keeps them apart from events.
  virtual absl::StatusOr<std::optional<std::string>> GetProjection(const std::string& key) = 0;
  // Visits projection rows whose key starts with `prefix`, in key order, starting at
  // `start_after` (exclusive; empty = from the first), until `visit` returns false.
  using RowVisitor = std::function<bool(const std::string& key, const std::string& value)>;
  virtual absl::Status ScanProjection(const std::string& prefix, const std::string& start_after,
                                      const RowVisitor& visit) = 0;

  // For consumers of other services' events: applies `projection` writes and marks
  // `consumed_event_id` as applied, in one atomic batch. Returns false (and writes nothing)
  // if that event id was already applied, so a redelivered event changes nothing.
  // With sync = false the batch survives a process crash but not a machine crash until a later
  // WriteProjection({}, true); a consumer calls that before committing its offsets, so one
  // fsync covers a whole poll's worth of events.
  virtual absl::StatusOr<bool> ApplyConsumed(const std::string& consumed_event_id,
                                             const std::vector<ProjectionWrite>& projection,
                                             bool sync = true) = 0;
  virtual absl::StatusOr<bool> WasConsumed(const std::string& consumed_event_id) = 0;
  // Drops every projection row and consumed marker (before a replay from scratch).
  virtual absl::Status ResetProjections() = 0;
  // Writes projection rows outside any append (ReplayProjection uses it). With sync = false the
  // write is not fsynced; a later call with sync = true (rows may be empty) makes it and every
  // earlier write durable. Test doubles that do not need it inherit UNIMPLEMENTED.
  virtual absl::Status WriteProjection(const std::vector<ProjectionWrite>& rows, bool sync) {
    return absl::UnimplementedError("WriteProjection");
  }

  // A projection rebuilt beside the serving one (docs/register.md, "Rebuild"): the rows and
  // consumed markers above are those of the serving generation; a staged generation is filled
  // while it serves, then swapped in at once. A staged generation that was never swapped (the
  // process stopped or crashed) is dropped at the next open. Test doubles inherit UNIMPLEMENTED.
  //
  // Creates an empty staged generation (dropping an earlier staged one); returns its number.
  virtual absl::StatusOr<uint64_t> StageProjection() {
    return absl::UnimplementedError("StageProjection");
  }
  // Writes rows, and marks events consumed, in the staged generation (a later write of a key
  // replaces an earlier one; safe from several threads); not durable until the swap (or a
  // flush), and maybe held in memory until then: taken by value, so that a caller done with
  // them moves them in. FAILED_PRECONDITION unless `generation` is the staged one.
  virtual absl::Status WriteStagedProjection(uint64_t generation,
                                             std::vector<ProjectionWrite> rows,
                                             std::vector<std::string> consumed_event_ids) {
    return absl::UnimplementedError("WriteStagedProjection");
  }
  // Makes what was written to the staged generation durable, so that a swap after it has little
  // left to write.
  virtual absl::Status FlushStagedProjection(uint64_t generation) {
    return absl::UnimplementedError("FlushStagedProjection");
  }
  // Makes the staged generation durable and the serving one (one synced write is the switch),
  // then drops the one served before. The caller holds off its own consumed-event writes across
  // the call, so none lands in the generation being retired.
  virtual absl::Status SwapProjection(uint64_t generation) {
    return absl::UnimplementedError("SwapProjection");
  }
  // Drops the staged generation (a rebuild that failed).
  virtual absl::Status DiscardStagedProjection(uint64_t generation) {
    return absl::UnimplementedError("DiscardStagedProjection");
  }
  // The serving generation's number (0 until a first swap).
  virtual uint64_t ProjectionGeneration() const { return 0; }
};

// Rebuilds a projection from scratch: drops every projection row, then feeds each stored event,
// in position order, to `project` and writes the rows it returns.
using Projector =
    std::function<absl::StatusOr<std::vector<ProjectionWrite>>(const EventEnvelope& event)>;
absl::Status ReplayProjection(EventStore& store, const Projector& project);

// SHA-256(prev_hash || canonical bytes of `event` with `hash` cleared), as raw 32 bytes.
std::string ComputeEventHash(const EventEnvelope& event);

}  // namespace breachd::eventstore
