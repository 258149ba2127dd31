// How the event store lays its data out in RocksDB: column family names and key encodings.
// Shared by the store, its verifier and the tests that tamper with the raw database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libs/eventstore/event_store.h"

namespace breachd::eventstore::layout {

// Column families. Every append touches events, stream_index, event_ids, meta and usually
// outbox and projections, all in one WriteBatch.
inline constexpr char kEventsCf[] = "events";  // BE64(position) -> EventEnvelope bytes
inline constexpr char kStreamIndexCf[] =
    "stream_index";                                 // StreamKey(stream, version) -> BE64(position)
inline constexpr char kEventIdsCf[] = "event_ids";  // event id -> BE64(position)
inline constexpr char kOutboxCf[] = "outbox";  // BE64(position) -> "" or BE32(attempts)
inline constexpr char kProjectionsCf[] = "projections";  // caller key -> caller value
inline constexpr char kConsumedCf[] = "consumed";        // consumed event id -> ""
inline constexpr char kMetaCf[] = "meta";  // StreamHeadKey(stream) -> StreamHead,
                                           // CheckpointKey(position) -> Checkpoint
// In meta: the lowest position the next append may take, BE64 (set by a restore, see
// store_backup.h). Not under "head/", so no stream's head.
inline constexpr char kPositionFloorKey[] = "position-floor";
// In meta: the serving projection generation (decimal; absent: 0), see Database.
inline constexpr char kProjectionGenerationKey[] = "projection-generation";
// A staged or serving generation N > 0 lives in these two families.
std::string GenerationProjectionsCf(uint64_t number);
std::string GenerationConsumedCf(uint64_t number);
// N if `family` is one of a generation's families, nullopt otherwise.
std::optional<uint64_t> GenerationOfFamily(const std::string& family);
// Events the bus refused for good, held out of the outbox until an operator retries them.
inline constexpr char kParkedCf[] = "parked";  // BE64(position) -> ParkedRecord

// All column families the store opens, besides RocksDB's "default" (unused).
std::vector<std::string> ColumnFamilyNames();

// Big-endian, so RocksDB's bytewise order is numeric order.
std::string EncodePosition(uint64_t position);
std::optional<uint64_t> DecodePosition(std::string_view bytes);

// BE32(stream length) || stream || BE64(version): a stream's versions sort together, in order,
// and no stream id is a prefix of another's keys.
std::string StreamPrefix(std::string_view stream_id);
std::string StreamKey(std::string_view stream_id, uint64_t version);
struct StreamKeyParts {
  std::string stream_id;
  uint64_t version = 0;
};
std::optional<StreamKeyParts> DecodeStreamKey(std::string_view key);

// The last version and hash of a stream, written with every append. It anchors the end of the
// chain, so dropping a stream's newest events is found too.
struct StreamHead {
  uint64_t version = 0;
  std::string hash;  // 32 raw bytes
};
std::string StreamHeadKey(std::string_view stream_id);
std::string EncodeStreamHead(const StreamHead& head);
std::optional<StreamHead> DecodeStreamHead(std::string_view bytes);
// Whether a meta key is a stream head, and its stream.
std::optional<std::string> StreamOfHeadKey(std::string_view key);

// A signed checkpoint (checkpoint.h): the digest of every stream head as of a global position,
// signed with the store's Ed25519 key. Kept in `meta` under "checkpoint/" + BE64(position), so
// the last such key is the latest checkpoint.
std::string CheckpointPrefix();
std::string CheckpointKey(uint64_t position);
std::string EncodeCheckpoint(const Checkpoint& checkpoint);
std::optional<Checkpoint> DecodeCheckpoint(std::string_view bytes);

// Why and when an outbox entry was parked. The outbox value of a retried entry is BE32(attempts),
// so parking it again counts on instead of starting over.
struct ParkedRecord {
  int64_t parked_at_unix_micros = 0;
  uint32_t attempts = 0;  // how many times this event has been parked
  std::string reason;
};
std::string EncodeParkedRecord(const ParkedRecord& record);
std::optional<ParkedRecord> DecodeParkedRecord(std::string_view bytes);
std::string EncodeOutboxAttempts(uint32_t attempts);
// 0 for a plain outbox entry (empty value).
uint32_t DecodeOutboxAttempts(std::string_view bytes);

}  // namespace breachd::eventstore::layout
