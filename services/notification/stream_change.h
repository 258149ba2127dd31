// One change of a breach as the notification service appends it: the event payloads in order and
// the projection rows written with them, in one atomic append (the store's rule: rows never run
// ahead of, or behind, the events that justify them).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/notification.pb.h"
#include "google/protobuf/message.h"
#include "libs/auth/principal.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/field_cipher.h"
#include "services/notification/clock_planner.h"

namespace breachd::notification {

inline constexpr char kServiceName[] = "notification";

// The principal of what the service does on its own (clocks, dispatch attempts).
auth::Principal SystemPrincipal();

struct StreamChange {
  std::string stream_id;
  std::string tenant;
  std::vector<std::unique_ptr<google::protobuf::Message>> payloads;
  std::vector<eventstore::ProjectionWrite> rows;

  template <typename T>
  void Emit(T payload) {
    payloads.push_back(std::make_unique<T>(std::move(payload)));
  }
  bool empty() const { return payloads.empty(); }
};

// Personal data at the notification's edge (docs/security.md, "What is sealed"): drafts (texts
// addressed to people), recipients, answers and notes are sealed with the school's key in every
// event and row before they are appended, and opened only for an answer or a message being sent
// (Opened, notification_schema.h). A `cipher` of nullptr leaves them as they are.
absl::Status SealEvents(StreamChange& change, privacy::FieldCipher* cipher);
template <typename Row>
absl::StatusOr<eventstore::ProjectionWrite> SealedRow(std::string key, Row row,
                                                      const std::string& tenant,
                                                      privacy::FieldCipher* cipher) {
  if (cipher != nullptr) {
    if (absl::Status sealed = cipher->SealPersonalData(row, tenant); !sealed.ok()) return sealed;
  }
  return eventstore::ProjectionWrite{std::move(key), row.SerializeAsString()};
}

// The append of `change` by `actor`, caused by `causation_id`, at `now`.
eventstore::AppendRequest ToAppend(const StreamChange& change, const auth::Principal& actor,
                                   const std::string& causation_id, absl::Time now);

// Adds the events, clock rows and timer rows that carry out `plan` on `clocks` (updated).
absl::Status AddClockPlan(eventstore::EventStore& store, const std::string& tenant,
                          const ClockPlan& plan, ClockMap& clocks, StreamChange& change);

// A prepared draft: its DraftPrepared and its row, sealed. Its sha256 stays over the opened
// documents: what the school reads and approves.
absl::Status AddDraft(breach::v1::Draft draft, StreamChange& change,
                      privacy::FieldCipher* cipher);

// Rows that re-arm a clock's timers (what it still has to tell) or, for a clock that stopped,
// remove them.
absl::Status AddClockTimers(eventstore::EventStore& store, const breach::v1::DutyClock& clock,
                            std::vector<eventstore::ProjectionWrite>& rows);

}  // namespace breachd::notification
