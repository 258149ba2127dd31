#include "libs/eventstore/storage_layout.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace breachd::eventstore::layout {
namespace {

constexpr std::string_view kHeadPrefix = "head/";
constexpr std::string_view kCheckpointPrefix = "checkpoint/";
constexpr size_t kDigestSize = 32;
constexpr size_t kPublicKeySize = 32;
constexpr size_t kSignatureSize = 64;

void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (unsigned char c : bytes) value = (value << 8) | c;
  return value;
}

}  // namespace

std::vector<std::string> ColumnFamilyNames() {
  return {kEventsCf, kStreamIndexCf, kEventIdsCf, kOutboxCf, kProjectionsCf, kConsumedCf, kMetaCf,
          kParkedCf};
}

std::string GenerationProjectionsCf(uint64_t number) {
  return absl::StrCat(kProjectionsCf, ".g", number);
}
std::string GenerationConsumedCf(uint64_t number) {
  return absl::StrCat(kConsumedCf, ".g", number);
}

std::optional<uint64_t> GenerationOfFamily(const std::string& family) {
  for (const absl::string_view base : {kProjectionsCf, kConsumedCf}) {
    const std::string prefix = absl::StrCat(base, ".g");
    uint64_t number = 0;
    if (absl::StartsWith(family, prefix) &&
        absl::SimpleAtoi(absl::string_view(family).substr(prefix.size()), &number) && number > 0) {
      return number;
    }
  }
  return std::nullopt;
}

std::string EncodePosition(uint64_t position) {
  std::string out;
  AppendBigEndian(out, position, 8);
  return out;
}

std::optional<uint64_t> DecodePosition(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  return ReadBigEndian(bytes);
}

std::string StreamPrefix(std::string_view stream_id) {
  std::string out;
  AppendBigEndian(out, stream_id.size(), 4);
  out.append(stream_id);
  return out;
}

std::string StreamKey(std::string_view stream_id, uint64_t version) {
  std::string out = StreamPrefix(stream_id);
  AppendBigEndian(out, version, 8);
  return out;
}

std::optional<StreamKeyParts> DecodeStreamKey(std::string_view key) {
  if (key.size() < 12) return std::nullopt;
  const uint64_t length = ReadBigEndian(key.substr(0, 4));
  if (key.size() != 4 + length + 8) return std::nullopt;
  return StreamKeyParts{std::string(key.substr(4, length)), ReadBigEndian(key.substr(4 + length))};
}

std::string StreamHeadKey(std::string_view stream_id) {
  std::string out(kHeadPrefix);
  out.append(stream_id);
  return out;
}

std::string EncodeStreamHead(const StreamHead& head) {
  std::string out;
  AppendBigEndian(out, head.version, 8);
  out.append(head.hash);
  return out;
}

std::optional<StreamHead> DecodeStreamHead(std::string_view bytes) {
  if (bytes.size() < 8) return std::nullopt;
  return StreamHead{ReadBigEndian(bytes.substr(0, 8)), std::string(bytes.substr(8))};
}

std::optional<std::string> StreamOfHeadKey(std::string_view key) {
  if (key.substr(0, kHeadPrefix.size()) != kHeadPrefix) return std::nullopt;
  return std::string(key.substr(kHeadPrefix.size()));
}

std::string CheckpointPrefix() { return std::string(kCheckpointPrefix); }

std::string CheckpointKey(uint64_t position) {
  std::string out(kCheckpointPrefix);
  AppendBigEndian(out, position, 8);
  return out;
}

std::string EncodeCheckpoint(const Checkpoint& checkpoint) {
  std::string out;
  AppendBigEndian(out, checkpoint.position, 8);
  AppendBigEndian(out, checkpoint.streams, 8);
  out.append(checkpoint.heads_digest);
  AppendBigEndian(out, static_cast<uint64_t>(absl::ToUnixMicros(checkpoint.signed_at)), 8);
  out.append(checkpoint.public_key);
  out.append(checkpoint.signature);
  return out;
}

std::optional<Checkpoint> DecodeCheckpoint(std::string_view bytes) {
  if (bytes.size() != 8 + 8 + kDigestSize + 8 + kPublicKeySize + kSignatureSize) {
    return std::nullopt;
  }
  Checkpoint checkpoint;
  checkpoint.position = ReadBigEndian(bytes.substr(0, 8));
  checkpoint.streams = ReadBigEndian(bytes.substr(8, 8));
  checkpoint.heads_digest = std::string(bytes.substr(16, kDigestSize));
  checkpoint.signed_at = absl::FromUnixMicros(
      static_cast<int64_t>(ReadBigEndian(bytes.substr(16 + kDigestSize, 8))));
  checkpoint.public_key = std::string(bytes.substr(24 + kDigestSize, kPublicKeySize));
  checkpoint.signature = std::string(bytes.substr(24 + kDigestSize + kPublicKeySize));
  return checkpoint;
}

std::string EncodeParkedRecord(const ParkedRecord& record) {
  std::string out;
  AppendBigEndian(out, static_cast<uint64_t>(record.parked_at_unix_micros), 8);
  AppendBigEndian(out, record.attempts, 4);
  out.append(record.reason);
  return out;
}

std::optional<ParkedRecord> DecodeParkedRecord(std::string_view bytes) {
  if (bytes.size() < 12) return std::nullopt;
  return ParkedRecord{static_cast<int64_t>(ReadBigEndian(bytes.substr(0, 8))),
                      static_cast<uint32_t>(ReadBigEndian(bytes.substr(8, 4))),
                      std::string(bytes.substr(12))};
}

std::string EncodeOutboxAttempts(uint32_t attempts) {
  std::string out;
  AppendBigEndian(out, attempts, 4);
  return out;
}

uint32_t DecodeOutboxAttempts(std::string_view bytes) {
  return bytes.size() == 4 ? static_cast<uint32_t>(ReadBigEndian(bytes)) : 0;
}

}  // namespace breachd::eventstore::layout
