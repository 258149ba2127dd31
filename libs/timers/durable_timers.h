// Durable timers: deadlines kept as projection rows of a service's own EventStore, so that they
// survive restarts and each fires exactly once (see docs/event-store.md, "Durable timers").
//
// Key schema (projection rows; ids may contain '/'):
//   timer/due/<due as 20-digit zero-padded unix microseconds>/<id>  ->  payload
//   timer/id/<id>                                                   ->  that due key
// The due rows sort by time, so the earliest timers are the first rows of "timer/due/"; the id
// rows find a timer by id (re-arm, disarm) or by id prefix (every timer of one breach).
// Due times are whole microseconds from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z; a
// finer time is rounded up (a timer never fires early); anything outside is INVALID_ARGUMENT.
//
// Firing: the caller writes FireTimer's rows in the same EventStore::Append as the events the
// timer emits. The append is one atomic, synced batch, so after a crash either both are there
// (the timer is gone and its events stored) or neither (it is still due and fires again).
//
// Arm, disarm and fire of one timer id must not race: the functions read a row and return writes
// based on it (callers serialise them, e.g. one sweeper thread that also arms, or a per-breach
// lock). Timer rows are projection rows: ResetProjections/ReplayProjection drop them, so a
// projector that replays must re-derive them from the events that armed and fired them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/eventstore/event_store.h"

namespace breachd::timers {

struct DueTimer {
  std::string id;
  absl::Time due;
  std::string payload;
};

// Rows that arm timer `id` at `due` (re-arming replaces any earlier due time of the same id).
// INVALID_ARGUMENT: empty id, `due` out of range.
absl::StatusOr<std::vector<eventstore::ProjectionWrite>> ArmTimer(eventstore::EventStore& store,
                                                                  const std::string& id,
                                                                  absl::Time due,
                                                                  const std::string& payload);

// Rows that remove timer `id` (empty if it is not armed).
absl::StatusOr<std::vector<eventstore::ProjectionWrite>> DisarmTimer(eventstore::EventStore& store,
                                                                     const std::string& id);

// Every armed timer whose id starts with `id_prefix`, in id order.
absl::StatusOr<std::vector<DueTimer>> TimersWithPrefix(eventstore::EventStore& store,
                                                       const std::string& id_prefix);

// Timers due at or before `now`, earliest first, at most `limit`.
absl::StatusOr<std::vector<DueTimer>> DueTimers(eventstore::EventStore& store, absl::Time now,
                                                size_t limit);

// The rows that remove a fired timer; append them with the events it emits (see above).
std::vector<eventstore::ProjectionWrite> FireTimer(const DueTimer& timer);

// The earliest due time of any armed timer, or nullopt if none is armed.
absl::StatusOr<std::optional<absl::Time>> NextDue(eventstore::EventStore& store);

}  // namespace breachd::timers
