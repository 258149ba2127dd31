#include "services/notification/deadline_sweep.h"

#include <map>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/timers/durable_timers.h"
#include "services/notification/clock_planner.h"
#include "services/notification/notification_schema.h"
#include "services/notification/stream_change.h"

namespace breachd::notification {

absl::StatusOr<std::optional<absl::Time>> DeadlineSweep::Sweep(absl::Time now) {
  while (true) {
    ASSIGN_OR_RETURN(size_t handled, SweepBatch(now));
    if (handled < batch_) break;
  }
  return timers::NextDue(store_);
}

absl::StatusOr<size_t> DeadlineSweep::SweepBatch(absl::Time now) {
  ASSIGN_OR_RETURN(std::vector<timers::DueTimer> due, timers::DueTimers(store_, now, batch_));
  if (due.empty()) return 0;
  std::vector<std::string> lock_keys;
  std::vector<breach::v1::ClockTimer> payloads(due.size());
  for (size_t i = 0; i < due.size(); ++i) {
    if (!payloads[i].ParseFromString(due[i].payload)) {
      return absl::DataLossError(absl::StrCat("timer ", due[i].id, " has an unreadable payload"));
    }
    lock_keys.push_back(CaseKey(payloads[i].breach_id()));
  }
  std::vector<absl::Mutex*> locks = breach_locks_.StripesFor(lock_keys);
  for (absl::Mutex* mu : locks) mu->Lock();
  absl::Cleanup unlock = [&locks] {
    for (absl::Mutex* mu : locks) mu->Unlock();
  };

  // Per breach: its clocks as this batch leaves them, and the change to append.
  std::map<std::string, ClockMap> clocks;
  std::map<std::string, StreamChange> changes;
  for (size_t i = 0; i < due.size(); ++i) {
    const breach::v1::ClockTimer& timer = payloads[i];
    auto [it, fresh] = clocks.try_emplace(timer.breach_id());
    if (fresh) {
      ASSIGN_OR_RETURN(it->second, ReadClocks(store_, timer.breach_id()));
    }
    breach::v1::DutyClock& clock = it->second[timer.duty()];
    StreamChange& change = changes[timer.breach_id()];
    change.stream_id = timer.breach_id();
    const std::vector<eventstore::ProjectionWrite> fired = timers::FireTimer(due[i]);
    change.rows.insert(change.rows.end(), fired.begin(), fired.end());
    FiredTimer outcome = FireClockTimer(timer, clock);
    if (!outcome.warning && !outcome.missed) continue;  // a stale timer: just removed
    change.tenant = clock.tenant();
    if (outcome.warning) change.Emit(*outcome.warning);
    if (outcome.missed) change.Emit(*outcome.missed);
    change.rows.push_back({ClockKey(timer.breach_id(), timer.duty()), clock.SerializeAsString()});
  }

  std::vector<eventstore::AppendRequest> appends;
  std::vector<eventstore::ProjectionWrite> orphan_rows;  // stale timers of quiet breaches
  for (auto& [breach_id, change] : changes) {
    if (change.empty()) {
      orphan_rows.insert(orphan_rows.end(), change.rows.begin(), change.rows.end());
      continue;
    }
    appends.push_back(ToAppend(change, SystemPrincipal(), "deadline-sweep", now));
  }
  if (!appends.empty()) {
    // Stale timers ride along with the batch's first append, in the same write.
    appends.front().projection.insert(appends.front().projection.end(), orphan_rows.begin(),
                                      orphan_rows.end());
    RETURN_IF_ERROR(store_.AppendAcrossStreams(std::move(appends)).status());
    if (on_append_) on_append_();
  } else {
    RETURN_IF_ERROR(store_.WriteProjection(orphan_rows, /*sync=*/true));
  }
  return due.size();
}

}  // namespace breachd::notification
