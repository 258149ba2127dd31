// How events become the Registro dei Data Breach and each breach's timeline. Pure: it turns an
// event (and the entry as it stands) into projection rows (register_schema.h); the caller writes
// them atomically.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "breach/v1/register.pb.h"
#include "libs/eventstore/event_store.h"
#include "services/register/register_schema.h"

namespace breachd::register_ {

// The breach an event belongs to, or "" for events outside any breach (audit streams).
std::string BreachIdOf(const breach::v1::EventEnvelope& event);

// Rows to write for `event`, given the breach's entry as stored (nullopt if none yet).
// Unknown event types still get a timeline line (the register never drops history); an event
// that is about no breach yields no rows. `zone` is where the register's year is counted.
absl::StatusOr<std::vector<eventstore::ProjectionWrite>> Project(
    const breach::v1::EventEnvelope& event, const std::optional<breach::v1::RegisterEntry>& entry,
    const absl::TimeZone& zone);

// The timeline line of an event.
breach::v1::TimelineEntry ToTimelineEntry(const breach::v1::EventEnvelope& event);

// One line about an event for the timeline, without personal data.
std::string Summarize(const breach::v1::EventEnvelope& event);

}  // namespace breachd::register_
