// What the notification service reports on each metrics scrape (docs/operations.md):
//   breachd_deadlines_open{tenant,duty}      clocks running, by school and duty
//   breachd_deadlines_overdue{tenant,duty}   clocks past due and not met: an alert fires on > 0
//   breachd_deliveries{tenant,status}        messages queued, retrying, failed or of unknown outcome
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/gauge_sample.h"
#include "libs/eventstore/event_store.h"

namespace breachd::notification {

absl::StatusOr<std::vector<GaugeSample>> NotificationGauges(eventstore::EventStore& store,
                                                            absl::Time now);

}  // namespace breachd::notification
