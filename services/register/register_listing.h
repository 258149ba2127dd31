// Which entries a listing of the register shows, and in what order. Pure: no store, no gRPC.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "breach/v1/register.pb.h"

namespace breachd::register_ {

// The years a listing may filter on: intake takes no report discovered before 2000.
inline constexpr int kFirstRegisterYear = 2000;
inline constexpr int kLastRegisterYear = 9999;

// INVALID_ARGUMENT naming the first field out of its range (page_size, year, status,
// classification, notified, order_by); the page token is checked by the listing itself.
absl::Status ValidateListRequest(const breach::v1::ListBreachesRequest& request);

// Whether `entry` passes every filter of `request` (its overdue flag as of `now`).
bool MatchesListing(const breach::v1::RegisterEntry& entry,
                    const breach::v1::ListBreachesRequest& request, absl::Time now);

// The key an entry sorts by in a listing ordered by `order` (not REGISTER_ORDER_UNSPECIFIED,
// which is the store's key order): the sort value, then the breach id, so that keys are unique
// and a page token can name the last one shown.
std::string OrderKey(const breach::v1::RegisterEntry& entry, breach::v1::RegisterOrder order);

}  // namespace breachd::register_
