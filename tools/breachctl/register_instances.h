// The routing rule for a listing of a partitioned register (docs/scaling.md): every instance
// lists only the breaches of the partitions it serves and says which; breachctl lists every
// instance and merges, and refuses a merge whose partitions do not cover the topic once.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "breach/v1/register.pb.h"

namespace breachd::breachctl {

// One listing of every instance's entries, in `order` (the store's order, tenant then breach
// id, for REGISTER_ORDER_UNSPECIFIED). UNAVAILABLE naming the partitions missing or listed
// twice (a rebalance under way, or an instance missing from --register-endpoint);
// FAILED_PRECONDITION when an instance is not partitioned.
absl::StatusOr<breach::v1::ListBreachesResponse> MergeInstanceListings(
    const std::vector<breach::v1::ListBreachesResponse>& listings,
    breach::v1::RegisterOrder order);

}  // namespace breachd::breachctl
