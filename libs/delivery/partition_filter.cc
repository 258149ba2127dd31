#include "libs/delivery/partition_filter.h"

#include "absl/strings/str_cat.h"
#include "libs/bus/partition_ownership.h"

namespace breachd::delivery {

absl::StatusOr<PartitionFilter> PartitionFilter::FromProto(
    const breach::v1::PartitionFilter& proto) {
  if (proto.partition_count() < 1 || proto.partition_count() > kMaxFilterPartitions) {
    return absl::InvalidArgumentError(
        absl::StrCat("partition_filter.partition_count must be between 1 and ",
                     kMaxFilterPartitions, " (got ", proto.partition_count(), ")"));
  }
  if (proto.partitions().empty()) {
    return absl::InvalidArgumentError("partition_filter.partitions: name at least one partition");
  }
  if (proto.unpartitioned_prefixes_size() > kMaxUnpartitionedPrefixes) {
    return absl::InvalidArgumentError(
        absl::StrCat("partition_filter.unpartitioned_prefixes: at most ",
                     kMaxUnpartitionedPrefixes, " (got ", proto.unpartitioned_prefixes_size(), ")"));
  }
  PartitionFilter filter;
  filter.count_ = proto.partition_count();
  filter.wanted_.assign(filter.count_, false);
  for (int32_t partition : proto.partitions()) {
    if (partition < 0 || partition >= filter.count_) {
      return absl::InvalidArgumentError(
          absl::StrCat("partition_filter.partitions: ", partition, " is not between 0 and ",
                       filter.count_ - 1));
    }
    filter.wanted_[partition] = true;
  }
  for (const std::string& prefix : proto.unpartitioned_prefixes()) {
    if (prefix.empty() || prefix.size() > kMaxPrefixBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("partition_filter.unpartitioned_prefixes: each must be 1 to ",
                       kMaxPrefixBytes, " bytes (got ", prefix.size(), ")"));
    }
    filter.unpartitioned_prefixes_.push_back(prefix);
  }
  return filter;
}

bool PartitionFilter::Accepts(std::string_view stream_id) const {
  for (const std::string& prefix : unpartitioned_prefixes_) {
    if (stream_id.starts_with(prefix)) return true;
  }
  return wanted_[bus::PartitionOfKey(stream_id, count_)];
}

}  // namespace breachd::delivery
