// Builds the caller's part of an event envelope (the store fills versions, positions, hashes).
#pragma once

#include <string>

#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "google/protobuf/message.h"
#include "libs/auth/principal.h"

namespace breachd::service {

struct EventOrigin {
  std::string source;          // deciding service: intake, assessment, notification, register
  auth::Principal actor;       // who caused it
  std::string causation_id;    // request or event that caused it
  std::string correlation_id;  // the whole flow
};

// A new envelope with a fresh ULID event id, `payload` packed, tenant and actor set. The ULID's
// time is `occurred_at` (the caller's Clock), so ids sort like the events under a SimulatedClock.
breach::v1::EventEnvelope MakeEvent(const EventOrigin& origin, const std::string& tenant,
                                    absl::Time occurred_at,
                                    const google::protobuf::Message& payload);

// `principal` as an event or a record names it: subject, primary role, tenant.
breach::v1::Actor ActorOf(const auth::Principal& principal);

// The payload's short type name, e.g. "BreachReported" for "breach.v1.BreachReported".
std::string ShortType(const std::string& full_type);

}  // namespace breachd::service
