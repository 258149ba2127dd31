// How events become the Registro dei Data Breach and each breach's timeline. Pure: it turns an
// event (and the breach's history as stored) into projection rows (register_schema.h); the
// caller writes them atomically.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "breach/v1/register.pb.h"
#include "libs/eventstore/event_store.h"
#include "services/register/register_schema.h"

namespace breachd::register_ {

// Streams about no breach or about many: audit streams ("audit-<tenant>", where listings and
// exports are recorded), a school's directory and profile ("school-<tenant>"), an incident
// ("incident-<id>"; its cases are breaches). Every other stream is a breach's, keyed by its id.
std::vector<std::string> UnpartitionedStreamPrefixes();

// The breach an event belongs to, or "" for events outside any breach (the streams above).
std::string BreachIdOf(const breach::v1::EventEnvelope& event);

// Rows to write for `event`: its timeline line, and for an event the entry is folded from
// (register_entry.h) the event itself in the breach's history and the entry folded anew from
// `history` (the breach's events stored so far) and this event, with its fold heads. Unknown event types still get a
// timeline line and count as history (the register never drops history); an event that is about
// no breach yields no rows. `zone` is where the register's year is counted.
absl::StatusOr<std::vector<eventstore::ProjectionWrite>> Project(
    const breach::v1::EventEnvelope& event, std::vector<breach::v1::EventEnvelope> history,
    const absl::TimeZone& zone);

// The rows of `event` when it comes after every event its breach's stored `entry` is folded
// from (`heads`, the breach's fold-heads row): folded onto the entry, without the history; nullopt
// when it needs the history (not after them all, an entry and heads that disagree, or an event
// FoldOnto cannot take): then Project.
absl::StatusOr<std::optional<std::vector<eventstore::ProjectionWrite>>> ProjectOnto(
    const breach::v1::EventEnvelope& event, breach::v1::RegisterEntry entry,
    breach::v1::RegisterFoldHeads heads, const absl::TimeZone& zone);

// The timeline line of an event.
breach::v1::TimelineEntry ToTimelineEntry(const breach::v1::EventEnvelope& event);
// The same into `line` (cleared first), which keeps its strings' storage from one event to the
// next: a rebuild writes a line for every event.
void FillTimelineEntry(const breach::v1::EventEnvelope& event, breach::v1::TimelineEntry& line);

// The chain proof of a breach's events as the register holds them (an export's): per source,
// the last version among `events`, its hash, and the versions before it that are not among them
// (the reads, which the register does not fold).
std::vector<breach::v1::StreamHead> StreamHeads(
    const std::vector<breach::v1::EventEnvelope>& events);

// One line about an event for the timeline, without personal data.
std::string Summarize(const breach::v1::EventEnvelope& event);

}  // namespace breachd::register_
