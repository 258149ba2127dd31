// A breach's entry in the Registro dei Data Breach as a function of the breach's events, the
// same whatever order they arrived in. Pure: no store, no bus.
//
// The register consumes two sources, intake and assessment, whose events reach it each in its
// own stream order but in no order between the two (docs/lifecycle.md, "Ordering across
// services"). So the entry is not built by arrival: it is folded from all the breach's events,
// each source's in stream order, the sources merged by `recorded_at` (when the deciding service
// appended them; at the same instant, by source name). That is the order in which the services
// decided, since a service decides on the other's events only after they were recorded.
//
// The facts come from one source each (report, triage, amendments and actions from intake;
// version, severity, classification and duties from assessment) and depend only on that
// source's order; the status follows the lifecycle state machine (libs/lifecycle) over the
// merged events.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "breach/v1/register.pb.h"

namespace breachd::register_ {

// Whether an event of a breach is one its entry is folded from: every one but the reads
// (BreachViewed), which are history for the timeline, not a change of the entry.
bool ChangesEntry(const breach::v1::EventEnvelope& event);

// The order the entry folds `events` (of one breach) in: each source's events by stream version,
// the sources merged by recorded_at, at the same instant the source first in name order. A
// source's own order wins over its clock: a recorded_at that went back stays in stream order.
std::vector<const breach::v1::EventEnvelope*> FoldOrder(
    const std::vector<breach::v1::EventEnvelope>& events);
std::vector<const breach::v1::EventEnvelope*> FoldOrder(
    const std::vector<const breach::v1::EventEnvelope*>& events);

// The entry of the breach whose events (every one that ChangesEntry, each once) are `events`,
// or nullopt while its report (BreachReported) is not among them: an entry is a report and what
// followed it. `zone` is where its year is counted.
std::optional<breach::v1::RegisterEntry> FoldEntry(
    const std::vector<breach::v1::EventEnvelope>& events, const absl::TimeZone& zone);
// The same over events held elsewhere (a rebuild's, in an arena).
std::optional<breach::v1::RegisterEntry> FoldEntry(
    const std::vector<const breach::v1::EventEnvelope*>& events, const absl::TimeZone& zone);

// The fold heads of `events` (every one that ChangesEntry) and of the entry folded from them
// (`events` = its event count).
breach::v1::RegisterFoldHeads FoldHeadsOf(const std::vector<breach::v1::EventEnvelope>& events);

// Whether `event` comes after every event `heads` describes in FoldOrder: later in its own
// source's stream, and after every other source's latest (at the same instant, a source first
// in name order goes first). Then the fold of those events and `event` is FoldOnto(entry, event).
bool FoldsLast(const breach::v1::RegisterFoldHeads& heads, const breach::v1::EventEnvelope& event);

// `entry` (folded from a breach's events) with `event` folded in after them, and `heads`
// moved past it; nullopt when that needs the events themselves (a DispatchQueued takes its
// draft's phase from the DraftPrepared it names): then fold them all with FoldEntry.
std::optional<breach::v1::RegisterEntry> FoldOnto(breach::v1::RegisterEntry entry,
                                                  const breach::v1::EventEnvelope& event,
                                                  const absl::TimeZone& zone,
                                                  breach::v1::RegisterFoldHeads& heads);

// A duty's name in the register's words: "authority_notification", "controller_notice".
std::string DutyWord(breach::v1::DutyKind duty);

// Whether the entry is overdue at `now`: a duty not met whose clock runs and is past its due
// time, or whose DeadlineMissed arrived (the register's "overdue" column; set when read).
bool IsOverdue(const breach::v1::RegisterEntry& entry, absl::Time now);

}  // namespace breachd::register_
