// What a service's sweep does with due timers, for tests and benchmarks: one "TimerFired" event
// per timer (correlation_id = the timer id), appended with the timers' FireTimer rows.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/common/ids.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/eventstore/event_store.h"
#include "libs/timers/durable_timers.h"

namespace breachd::timers::testing {

inline constexpr char kTimerFiredType[] = "test.TimerFired";

// Appends `per_append` timers' events and FireTimer rows per EventStore::Append, to `stream`.
inline absl::Status AppendFired(eventstore::EventStore& store, const std::string& stream,
                                absl::Time now, const std::vector<DueTimer>& timers,
                                size_t per_append) {
  for (size_t begin = 0; begin < timers.size(); begin += per_append) {
    eventstore::AppendRequest append;
    append.stream_id = stream;
    append.publish = false;
    for (size_t i = begin; i < std::min(timers.size(), begin + per_append); ++i) {
      breach::v1::EventEnvelope& event = append.events.emplace_back();
      event.set_event_id(NewUlid(now));
      event.set_type(kTimerFiredType);
      event.set_source("notification");
      event.set_tenant("MIIS01200V");
      *event.mutable_occurred_at() = ProtoFromTime(now);
      event.mutable_actor()->set_subject("service:breachd");
      event.set_correlation_id(timers[i].id);
      event.mutable_payload()->set_value(timers[i].payload);
      for (auto& row : FireTimer(timers[i])) append.projection.push_back(std::move(row));
    }
    RETURN_IF_ERROR(store.Append(std::move(append)).status());
  }
  return absl::OkStatus();
}

}  // namespace breachd::timers::testing
