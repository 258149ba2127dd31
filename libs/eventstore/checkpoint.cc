#include "libs/eventstore/checkpoint.h"

#include <sodium.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/status_macros.h"
#include "libs/eventstore/storage_layout.h"

namespace breachd::eventstore {
namespace {

constexpr std::string_view kHeadsTag = "breachd.checkpoint.heads.v1";
constexpr std::string_view kMessageTag = "breachd.checkpoint.v1";

void AppendBigEndian(std::string& out, uint64_t value) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

class Sha256 {
 public:
  Sha256() { crypto_hash_sha256_init(&state_); }
  void Update(std::string_view bytes) {
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()),
                              bytes.size());
  }
  std::string Final() {
    std::string digest(crypto_hash_sha256_BYTES, '\0');
    crypto_hash_sha256_final(&state_, reinterpret_cast<unsigned char*>(digest.data()));
    return digest;
  }

 private:
  crypto_hash_sha256_state state_;
};

// A stream's last version at or below `position` and its hash; nullopt when its first event is
// above `position`.
absl::StatusOr<std::optional<layout::StreamHead>> HeadAt(const Database& database,
                                                         const std::string& stream,
                                                         const layout::StreamHead& head,
                                                         uint64_t position,
                                                         const rocksdb::ReadOptions& read) {
  const std::string prefix = layout::StreamPrefix(stream);
  std::unique_ptr<rocksdb::Iterator> index(
      database.db()->NewIterator(read, database.stream_index()));
  for (index->SeekForPrev(layout::StreamKey(stream, head.version));
       index->Valid() && index->key().starts_with(prefix); index->Prev()) {
    std::optional<layout::StreamKeyParts> parts =
        layout::DecodeStreamKey(index->key().ToStringView());
    std::optional<uint64_t> at = layout::DecodePosition(index->value().ToStringView());
    if (!parts || !at) return absl::DataLossError("stream index entry is malformed");
    if (*at > position) continue;
    if (parts->version == head.version) return head;
    ASSIGN_OR_RETURN(std::optional<EventEnvelope> event, database.ReadEventAt(*at, read));
    if (!event) return absl::DataLossError(absl::StrCat("event at position ", *at, " is missing"));
    return layout::StreamHead{parts->version, event->hash()};
  }
  RETURN_IF_ERROR(FromRocksStatus(index->status(), "checkpoint: read stream index"));
  return std::nullopt;
}

}  // namespace

absl::StatusOr<HeadsDigest> DigestHeadsAt(const Database& database, uint64_t position,
                                          const rocksdb::ReadOptions& read) {
  HeadsDigest result;
  Sha256 sha;
  sha.Update(kHeadsTag);
  std::string position_bytes;
  AppendBigEndian(position_bytes, position);
  sha.Update(position_bytes);
  std::unique_ptr<rocksdb::Iterator> meta(database.db()->NewIterator(read, database.meta()));
  for (meta->Seek(layout::StreamHeadKey("")); meta->Valid(); meta->Next()) {
    std::optional<std::string> stream = layout::StreamOfHeadKey(meta->key().ToStringView());
    if (!stream) break;  // past the head/ keys
    std::optional<layout::StreamHead> head = layout::DecodeStreamHead(meta->value().ToStringView());
    if (!head) return absl::DataLossError(absl::StrCat("stream ", *stream, " head is malformed"));
    ASSIGN_OR_RETURN(std::optional<layout::StreamHead> at,
                     HeadAt(database, *stream, *head, position, read));
    if (!at) continue;
    std::string entry = layout::StreamPrefix(*stream);
    AppendBigEndian(entry, at->version);
    entry.append(at->hash);
    sha.Update(entry);
    ++result.streams;
  }
  RETURN_IF_ERROR(FromRocksStatus(meta->status(), "checkpoint: read stream heads"));
  result.digest = sha.Final();
  return result;
}

std::string CheckpointMessage(const Checkpoint& checkpoint) {
  std::string message(kMessageTag);
  AppendBigEndian(message, checkpoint.position);
  AppendBigEndian(message, checkpoint.streams);
  message.append(checkpoint.heads_digest);
  AppendBigEndian(message, static_cast<uint64_t>(absl::ToUnixMicros(checkpoint.signed_at)));
  return message;
}

absl::StatusOr<Checkpoint> SignCheckpoint(const Database& database, const SigningKey& key,
                                          uint64_t position, absl::Time now,
                                          const rocksdb::ReadOptions& read) {
  ASSIGN_OR_RETURN(HeadsDigest heads, DigestHeadsAt(database, position, read));
  Checkpoint checkpoint;
  checkpoint.position = position;
  checkpoint.streams = heads.streams;
  checkpoint.heads_digest = std::move(heads.digest);
  checkpoint.signed_at = absl::FromUnixMicros(absl::ToUnixMicros(now));  // as stored
  checkpoint.public_key = key.public_key();
  checkpoint.signature = key.Sign(CheckpointMessage(checkpoint));
  return checkpoint;
}

absl::StatusOr<std::optional<Checkpoint>> ReadLatestCheckpoint(const Database& database) {
  std::unique_ptr<rocksdb::Iterator> meta(
      database.db()->NewIterator(rocksdb::ReadOptions(), database.meta()));
  const std::string prefix = layout::CheckpointPrefix();
  meta->SeekForPrev(layout::CheckpointKey(UINT64_MAX));
  if (!meta->Valid() || !meta->key().starts_with(prefix)) {
    RETURN_IF_ERROR(FromRocksStatus(meta->status(), "read latest checkpoint"));
    return std::nullopt;
  }
  std::optional<Checkpoint> checkpoint = layout::DecodeCheckpoint(meta->value().ToStringView());
  if (!checkpoint) return absl::DataLossError("the latest checkpoint record is malformed");
  return checkpoint;
}

absl::Status CheckLatestCheckpoint(const Database& database, std::string_view trusted_public_key,
                                   VerifyReport& report,
                                   const std::vector<std::string>& earlier_public_keys) {
  auto fail = [&report](std::string problem) {
    report.ok = false;
    report.problem = std::move(problem);
    return absl::OkStatus();
  };
  absl::StatusOr<std::optional<Checkpoint>> latest = ReadLatestCheckpoint(database);
  if (absl::IsDataLoss(latest.status())) return fail(std::string(latest.status().message()));
  RETURN_IF_ERROR(latest.status());
  if (!*latest) {
    if (report.events_checked == 0) return absl::OkStatus();
    return fail(
        "no signed checkpoint: the store holds events but no checkpoint signs them (deleted, "
        "or the store is younger than its first checkpoint)");
  }
  const Checkpoint& checkpoint = **latest;
  report.checkpoint_checked = true;
  report.checkpoint_position = checkpoint.position;
  report.checkpoint_signed_at = checkpoint.signed_at;
  // A checkpoint signed before a rotation names the earlier key it was signed with.
  const bool earlier = std::find(earlier_public_keys.begin(), earlier_public_keys.end(),
                                 checkpoint.public_key) != earlier_public_keys.end();
  if (earlier) trusted_public_key = checkpoint.public_key;
  if (!VerifySignature(trusted_public_key, CheckpointMessage(checkpoint), checkpoint.signature)) {
    return fail(absl::StrCat("the checkpoint at position ", checkpoint.position,
                             " is not signed by the trusted key ",
                             ToHex(trusted_public_key),
                             checkpoint.public_key == trusted_public_key
                                 ? ""
                                 : absl::StrCat(" (it names key ",
                                                ToHex(checkpoint.public_key), ")")));
  }
  ASSIGN_OR_RETURN(HeadsDigest heads,
                   DigestHeadsAt(database, checkpoint.position, rocksdb::ReadOptions()));
  if (heads.digest != checkpoint.heads_digest || heads.streams != checkpoint.streams) {
    return fail(absl::StrCat("the stream heads at position ", checkpoint.position,
                             " differ from those signed at ", absl::FormatTime(checkpoint.signed_at),
                             " (", heads.streams, " streams now, ", checkpoint.streams,
                             " signed): the store was rewritten"));
  }
  return absl::OkStatus();
}

}  // namespace breachd::eventstore
