// What the notification service learns of a breach from the other services' events, pure: the
// report as it reads now, the awareness moment in force, the latest assessment with its duty
// decisions, and whether the breach is closed. Events may arrive from intake and assessment in
// either order (two sources), so any event of a breach starts its case.
#pragma once

#include <optional>

#include "breach/v1/envelope.pb.h"
#include "breach/v1/notification.pb.h"

namespace breachd::notification {

// Folds `event` into `notification_case` (nullopt: no case yet). False if the event says
// nothing the notification service needs.
bool ApplyToCase(const breach::v1::EventEnvelope& event,
                 std::optional<breach::v1::NotificationCase>& notification_case);

// Whether the breach is judged a breach with an awareness moment (its clocks may run).
bool IsAwareBreach(const breach::v1::NotificationCase& notification_case);

}  // namespace breachd::notification
