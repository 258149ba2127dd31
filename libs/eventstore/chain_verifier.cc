#include "libs/eventstore/chain_verifier.h"

#include <memory>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/eventstore/event_hash.h"
#include "libs/eventstore/storage_layout.h"

namespace breachd::eventstore {
namespace {

class ChainVerifier {
 public:
  // Reads one snapshot, so appends running meanwhile cannot look like tampering.
  explicit ChainVerifier(const Database& database)
      : db_(database), snapshot_(database.db()->GetSnapshot()) {
    read_.snapshot = snapshot_;
  }
  ~ChainVerifier() { db_.db()->ReleaseSnapshot(snapshot_); }

  absl::StatusOr<VerifyReport> VerifyOne(const std::string& stream_id) {
    RETURN_IF_ERROR(CheckStream(stream_id));
    return report_;
  }

  absl::StatusOr<VerifyReport> VerifyAll() {
    ASSIGN_OR_RETURN(std::set<std::string> streams, AllStreams());
    for (const std::string& stream : streams) {
      RETURN_IF_ERROR(CheckStream(stream));
      if (!report_.ok) return report_;
    }
    RETURN_IF_ERROR(CheckEveryEventIsIndexed());
    if (!report_.ok) return report_;
    RETURN_IF_ERROR(CheckEveryEventIdPointsAtItsEvent());
    return report_;
  }

 private:
  void Fail(const std::string& stream, uint64_t version, const std::string& event_id,
            std::string problem) {
    report_.ok = false;
    report_.first_bad_stream = stream;
    report_.first_bad_version = version;
    report_.first_bad_event_id = event_id;
    report_.problem = std::move(problem);
  }

  std::unique_ptr<rocksdb::Iterator> Iterate(rocksdb::ColumnFamilyHandle* family) const {
    return std::unique_ptr<rocksdb::Iterator>(db_.db()->NewIterator(read_, family));
  }

  // Streams named by the stream index or by a recorded head.
  absl::StatusOr<std::set<std::string>> AllStreams() const {
    std::set<std::string> streams;
    auto index = Iterate(db_.stream_index());
    index->SeekToFirst();
    while (index->Valid()) {
      std::optional<layout::StreamKeyParts> parts =
          layout::DecodeStreamKey(index->key().ToStringView());
      if (!parts) return absl::DataLossError("stream index holds a malformed key");
      streams.insert(parts->stream_id);
      // Jump past the rest of this stream.
      const std::string last_key = layout::StreamKey(parts->stream_id, UINT64_MAX);
      index->Seek(last_key);
      if (index->Valid() && index->key() == rocksdb::Slice(last_key)) index->Next();
    }
    RETURN_IF_ERROR(FromRocksStatus(index->status(), "verify: scan stream index"));
    auto meta = Iterate(db_.meta());
    for (meta->SeekToFirst(); meta->Valid(); meta->Next()) {
      if (auto stream = layout::StreamOfHeadKey(meta->key().ToStringView()))
        streams.insert(*stream);
    }
    RETURN_IF_ERROR(FromRocksStatus(meta->status(), "verify: scan stream heads"));
    return streams;
  }

  // Walks a stream's index in version order and re-derives every link of its chain.
  absl::Status CheckStream(const std::string& stream) {
    ++report_.streams_checked;
    ASSIGN_OR_RETURN(std::optional<std::string> head_bytes,
                     db_.Get(db_.meta(), layout::StreamHeadKey(stream), read_));
    std::optional<layout::StreamHead> head;
    if (head_bytes) {
      head = layout::DecodeStreamHead(*head_bytes);
      if (!head) {
        Fail(stream, 0, "", "stream head record is malformed");
        return absl::OkStatus();
      }
    }

    const std::string prefix = layout::StreamPrefix(stream);
    uint64_t expected_version = 1;
    uint64_t previous_position = 0;
    std::string previous_hash = GenesisHash();
    std::string hash_before_previous;  // none before the first event
    std::string last_event_id;
    std::string first_event_beyond_head;
    auto index = Iterate(db_.stream_index());
    for (index->Seek(prefix); index->Valid() && index->key().starts_with(prefix); index->Next()) {
      std::optional<layout::StreamKeyParts> parts =
          layout::DecodeStreamKey(index->key().ToStringView());
      std::optional<uint64_t> position = layout::DecodePosition(index->value().ToStringView());
      if (!parts || !position) {
        Fail(stream, expected_version, "", "stream index entry is malformed");
        return absl::OkStatus();
      }
      const uint64_t version = parts->version;
      if (version != expected_version) {
        Fail(stream, expected_version, "",
             absl::StrCat("version gap: version ", expected_version, " is missing (next is ",
                          version, ")"));
        return absl::OkStatus();
      }
      absl::StatusOr<std::optional<EventEnvelope>> read = db_.ReadEventAt(*position, read_);
      if (absl::IsDataLoss(read.status())) {
        Fail(stream, version, "", std::string(read.status().message()));
        return absl::OkStatus();
      }
      RETURN_IF_ERROR(read.status());
      if (!read->has_value()) {
        Fail(stream, version, "", absl::StrCat("event at position ", *position, " is missing"));
        return absl::OkStatus();
      }
      const EventEnvelope& event = **read;
      if (version >= 2 && event.prev_hash() == hash_before_previous) {
        // This event links straight to the one two places back: the one in between was inserted.
        Fail(stream, version - 1, last_event_id,
             "inserted: the next event's prev_hash links past this event");
        return absl::OkStatus();
      }
      if (version >= 2 && event.stream_id() == stream && event.stream_version() == version &&
          event.prev_hash() != previous_hash && ComputeEventHash(event) == event.hash()) {
        // This event is intact and in place but links to something else: the previous one was
        // rewritten (and re-hashed) after this one was appended.
        Fail(stream, version - 1, last_event_id,
             "rewritten: its hash no longer matches the prev_hash the next event recorded");
        return absl::OkStatus();
      }
      ASSIGN_OR_RETURN(
          std::optional<std::string> problem,
          CheckEvent(stream, version, *position, previous_position, previous_hash, event));
      if (problem) {
        Fail(stream, version, event.event_id(), *std::move(problem));
        return absl::OkStatus();
      }
      ++report_.events_checked;
      if (head && version == head->version + 1) first_event_beyond_head = event.event_id();
      hash_before_previous = std::move(previous_hash);
      previous_hash = event.hash();
      previous_position = *position;
      last_event_id = event.event_id();
      ++expected_version;
    }
    RETURN_IF_ERROR(FromRocksStatus(index->status(), "verify: scan stream"));

    const uint64_t last_version = expected_version - 1;
    if (!head) {
      if (last_version > 0) Fail(stream, last_version, last_event_id, "stream head is missing");
      // A stream with neither events nor a head does not exist: nothing was checked.
      if (last_version == 0) --report_.streams_checked;
      return absl::OkStatus();
    }
    if (head->version > last_version) {
      Fail(stream, last_version + 1, "",
           absl::StrCat("events missing: the stream head records version ", head->version,
                        " but the stream ends at version ", last_version));
    } else if (head->version < last_version) {
      Fail(stream, head->version + 1, first_event_beyond_head,
           absl::StrCat("event beyond the stream head, which records version ", head->version));
    } else if (head->hash != previous_hash) {
      Fail(stream, last_version, last_event_id, "stream head hash does not match the last event");
    }
    return absl::OkStatus();
  }

  // The problem with one event of a stream's chain, if any.
  absl::StatusOr<std::optional<std::string>> CheckEvent(const std::string& stream, uint64_t version,
                                                        uint64_t position,
                                                        uint64_t previous_position,
                                                        const std::string& previous_hash,
                                                        const EventEnvelope& event) const {
    if (event.stream_id() != stream || event.stream_version() != version) {
      return absl::StrCat("out of place: the index entry leads to stream \"", event.stream_id(),
                          "\" version ", event.stream_version());
    }
    if (event.position() != position) {
      return absl::StrCat("position mismatch: the event records position ", event.position(),
                          " but is stored at ", position);
    }
    if (position <= previous_position) {
      return absl::StrCat("position ", position, " is not after the previous version's position ",
                          previous_position);
    }
    if (event.prev_hash() != previous_hash) {
      return std::string("prev_hash does not match the previous event's hash");
    }
    if (ComputeEventHash(event) != event.hash()) {
      return std::string("hash mismatch: the event's bytes were changed");
    }
    ASSIGN_OR_RETURN(std::optional<std::string> indexed,
                     db_.Get(db_.event_ids(), event.event_id(), read_));
    if (!indexed || layout::DecodePosition(*indexed) != position) {
      return std::string("the event id index does not point at this event");
    }
    return std::nullopt;
  }

  // An event the stream index does not lead to was slipped in beside the chains.
  absl::Status CheckEveryEventIsIndexed() {
    auto events = Iterate(db_.events());
    for (events->SeekToFirst(); events->Valid(); events->Next()) {
      std::optional<uint64_t> position = layout::DecodePosition(events->key().ToStringView());
      EventEnvelope event;
      if (!position ||
          !event.ParseFromArray(events->value().data(), static_cast<int>(events->value().size()))) {
        Fail("", 0, "",
             absl::StrCat("unreadable event stored under key ",
                          events->key().ToString(/*hex=*/true)));
        return absl::OkStatus();
      }
      ASSIGN_OR_RETURN(
          std::optional<std::string> indexed,
          db_.Get(db_.stream_index(), layout::StreamKey(event.stream_id(), event.stream_version()),
                  read_));
      if (!indexed || layout::DecodePosition(*indexed) != *position) {
        Fail(event.stream_id(), event.stream_version(), event.event_id(),
             absl::StrCat("event at position ", *position, " is not part of its stream's chain"));
        return absl::OkStatus();
      }
    }
    return FromRocksStatus(events->status(), "verify: scan events");
  }

  // An id entry leading elsewhere would make a new event look like a retry of an old one.
  absl::Status CheckEveryEventIdPointsAtItsEvent() {
    auto ids = Iterate(db_.event_ids());
    for (ids->SeekToFirst(); ids->Valid(); ids->Next()) {
      const std::string event_id = ids->key().ToString();
      std::optional<uint64_t> position = layout::DecodePosition(ids->value().ToStringView());
      absl::StatusOr<std::optional<EventEnvelope>> event =
          position ? db_.ReadEventAt(*position, read_) : std::optional<EventEnvelope>();
      if (!event.ok() && !absl::IsDataLoss(event.status())) return event.status();
      if (!event.ok() || !event->has_value() || (*event)->event_id() != event_id) {
        Fail("", 0, event_id, "event id index entry does not lead to that event");
        return absl::OkStatus();
      }
    }
    return FromRocksStatus(ids->status(), "verify: scan event ids");
  }

  const Database& db_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions read_;
  VerifyReport report_;
};

}  // namespace

absl::StatusOr<VerifyReport> VerifyChains(const Database& database, const std::string& stream_id) {
  ChainVerifier verifier(database);
  return stream_id.empty() ? verifier.VerifyAll() : verifier.VerifyOne(stream_id);
}

}  // namespace breachd::eventstore
