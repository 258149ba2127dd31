// One event as a SIEM document in the Elastic Common Schema (ECS 8): what the provider's
// security team ingests from `breach.siem.v1` (issue 13; published by siem_relay.h).
//
// No personal data, by construction: the document is built from an allow-list of fields (the
// envelope's metadata, and per event type only codes, counts, statuses and ids). Free text
// (descriptions, places, names, contacts, actions taken) is never read, so an event type this
// code does not know yet contributes its metadata only. See docs/siem.md.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "breach/v1/envelope.pb.h"
#include "nlohmann/json.hpp"

namespace breachd::siem {

// The ECS document of `event`. INVALID_ARGUMENT if the envelope lacks an id or a recorded time.
absl::StatusOr<nlohmann::json> ToEcsDocument(const breach::v1::EventEnvelope& event);

// The event types with their own ECS categorisation and `breach.*` fields (full names, e.g.
// "breach.v1.BreachReported"); any other type gets its metadata only.
std::vector<std::string> MappedEventTypes();

// An event's document as one line of JSON (ToEcsDocument(event).dump(), written directly), and
// its Kafka key: the breach id, or the stream for an event about no breach.
struct EcsLine {
  std::string key;
  std::string json;
};
absl::StatusOr<EcsLine> ToEcsLine(const breach::v1::EventEnvelope& event);
// ToEcsLine into `key` and `json` (replacing what they held, keeping their capacity: the relay
// reuses its records from batch to batch). Thread-safe: builders on several threads share nothing.
absl::Status WriteEcsLine(const breach::v1::EventEnvelope& event, std::string& key,
                          std::string& json);

// ToEcsDocument as one line of JSON (the Kafka message value).
absl::StatusOr<std::string> ToEcsJson(const breach::v1::EventEnvelope& event);

}  // namespace breachd::siem
