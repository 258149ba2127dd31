// The partition filter of a feed read (feed.proto, PartitionFilter), checked: which streams of
// a source store a scaled-out consumer wants (docs/scaling.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "breach/v1/feed.pb.h"

namespace breachd::delivery {

inline constexpr int32_t kMaxFilterPartitions = 4096;
inline constexpr int kMaxUnpartitionedPrefixes = 16;
inline constexpr size_t kMaxPrefixBytes = 64;

class PartitionFilter {
 public:
  // INVALID_ARGUMENT naming the field: a count outside 1..kMaxFilterPartitions, no partition or
  // one outside 0..count-1, too many prefixes, an empty or too long one.
  static absl::StatusOr<PartitionFilter> FromProto(const breach::v1::PartitionFilter& proto);

  // Whether the feed sends the events of `stream_id`: an unpartitioned prefix, or a stream id
  // in one of the partitions.
  bool Accepts(std::string_view stream_id) const;

 private:
  int32_t count_ = 0;
  std::vector<bool> wanted_;  // by partition
  std::vector<std::string> unpartitioned_prefixes_;
};

}  // namespace breachd::delivery
