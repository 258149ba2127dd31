#include "tools/breachctl/register_instances.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/register/register_listing.h"

namespace breachd::breachctl {

absl::StatusOr<breach::v1::ListBreachesResponse> MergeInstanceListings(
    const std::vector<breach::v1::ListBreachesResponse>& listings,
    breach::v1::RegisterOrder order) {
  int32_t partition_count = 0;
  std::map<int32_t, int> served;
  for (const auto& listing : listings) {
    if (listing.partition_count() <= 0 ||
        (partition_count != 0 && listing.partition_count() != partition_count)) {
      return absl::FailedPreconditionError(
          "a register instance is not partitioned (or not yet assigned): give several "
          "--register-endpoint addresses only for registers started with --partitioned=register");
    }
    partition_count = listing.partition_count();
    for (int32_t partition : listing.partitions()) ++served[partition];
  }
  std::vector<std::string> missing;
  std::vector<std::string> twice;
  for (int32_t partition = 0; partition < partition_count; ++partition) {
    const int count = served.count(partition) ? served[partition] : 0;
    if (count == 0) missing.push_back(absl::StrCat(partition));
    if (count > 1) twice.push_back(absl::StrCat(partition));
  }
  if (!missing.empty() || !twice.empty()) {
    return absl::UnavailableError(absl::StrCat(
        "the register instances do not cover every partition once (",
        missing.empty() ? "" : absl::StrCat("unserved: ", absl::StrJoin(missing, ",")),
        !missing.empty() && !twice.empty() ? "; " : "",
        twice.empty() ? "" : absl::StrCat("listed twice: ", absl::StrJoin(twice, ",")),
        "): a rebalance is under way, or an instance is missing from --register-endpoint; "
        "try again"));
  }
  std::vector<std::pair<std::string, const breach::v1::RegisterEntry*>> sorted;
  for (const auto& listing : listings) {
    for (const auto& entry : listing.entries()) {
      sorted.emplace_back(order == breach::v1::REGISTER_ORDER_UNSPECIFIED
                              ? absl::StrCat(entry.tenant(), "/", entry.breach_id())
                              : register_::OrderKey(entry, order),
                          &entry);
    }
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  breach::v1::ListBreachesResponse merged;
  merged.set_partition_count(partition_count);
  for (int32_t partition = 0; partition < partition_count; ++partition) {
    merged.add_partitions(partition);
  }
  for (const auto& [key, entry] : sorted) *merged.add_entries() = *entry;
  return merged;
}

}  // namespace breachd::breachctl
