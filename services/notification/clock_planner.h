// The notification service's clocks, pure: which duties of a breach need a running clock and
// until when (from the regime's windows and the awareness in force), what changes against the
// clocks that run now, which timers each clock needs, and what a fired timer emits. Nothing here
// reads a store or the time: the caller passes both in.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "breach/v1/notification.pb.h"

namespace breachd::notification {

// The clocks of one breach by duty.
using ClockMap = std::map<int, breach::v1::DutyClock>;

struct ClockPlan {
  std::vector<breach::v1::ClockArmed> armed;  // new clocks and clocks whose times moved
  std::vector<breach::v1::ClockDisarmed> disarmed;
};

// Until the duties are confirmed, a breach judged a breach runs a provisional clock for the
// authority notification, from the awareness moment: the 72 hours do not wait for the
// assessment. Confirmed decisions then arm, move or disarm clocks. A clock that was met stays
// met. `cause` is recorded on each ClockArmed ("duties decided", "awareness corrected", ...).
ClockPlan PlanClocks(const breach::v1::NotificationCase& notification_case,
                     const ClockMap& clocks, const std::vector<breach::v1::Regime>& regimes,
                     const absl::TimeZone& zone, const std::string& cause);

// A durable timer: its id (libs/timers) and payload.
struct ClockTimerSpec {
  std::string id;
  absl::Time at;
  breach::v1::ClockTimer payload;
};

// "clock/<breach_id>/<duty>/": every timer of one clock starts with it.
std::string ClockTimerPrefix(const std::string& breach_id, breach::v1::DutyKind duty);

// The timers a clock needs: one per warning fraction not yet warned, and its due time unless the
// miss was already emitted (each is emitted exactly once per breach and duty).
std::vector<ClockTimerSpec> TimersFor(const breach::v1::DutyClock& clock);

// What a fired timer emits: a DeadlineWarning or DeadlineMissed event, or nothing for a clock
// that was met, disarmed or already told (a stale timer). `clock` is updated.
struct FiredTimer {
  std::optional<breach::v1::DeadlineWarning> warning;
  std::optional<breach::v1::DeadlineMissed> missed;
};
FiredTimer FireClockTimer(const breach::v1::ClockTimer& timer, breach::v1::DutyClock& clock);

// Clock rows after each event.
void ApplyArmed(const breach::v1::ClockArmed& armed, const std::string& tenant,
                breach::v1::DutyClock& clock);
void ApplyDisarmed(const breach::v1::ClockDisarmed& disarmed, breach::v1::DutyClock& clock);
void ApplySubmitted(const breach::v1::DutySubmitted& submitted, breach::v1::DutyClock& clock);

// The deadline's status at `now`: met or late once submitted, else overdue, warning or open.
breach::v1::DeadlineStatus ClockStatusAt(const breach::v1::DutyClock& clock, absl::Time now);

// The duties that get a clock (the register entry has no deadline).
bool IsClockedDuty(breach::v1::DutyKind duty);

}  // namespace breachd::notification
