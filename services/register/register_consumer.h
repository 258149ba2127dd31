// Bus adapter of the register: applies the events of the publishing services to the register
// projection (register_projection.h), once each, in the register's own store.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "libs/bus/partition_ownership.h"
#include "libs/eventstore/event_store.h"

namespace breachd::register_ {

class RegisterConsumer {
 public:
  // `zone` is where the register counts its years. `ownership` (partitioned, else nullptr):
  // only the events of breaches it applies are applied; the others are left unmarked, so that
  // they apply if this instance gains their partition later.
  RegisterConsumer(eventstore::EventStore& store, absl::TimeZone zone,
                   const bus::PartitionOwnership* ownership = nullptr)
      : store_(store), zone_(zone), ownership_(ownership) {}

  // Applies an event once (dedupe by event id, atomically with the projection rows); true if
  // it was new. Called one event at a time (from the bus or a catch-up). The write is not
  // fsynced: call MakeAppliedDurable() before committing offsets or checkpoints.
  absl::StatusOr<bool> ApplyConsumed(const breach::v1::EventEnvelope& event);

  absl::Status MakeAppliedDurable() { return store_.WriteProjection({}, /*sync=*/true); }

 private:
  // The rows of `event` for its breach's timeline, history and entry.
  absl::StatusOr<std::vector<eventstore::ProjectionWrite>> EntryRows(
      const breach::v1::EventEnvelope& event, const std::string& breach_id);

  eventstore::EventStore& store_;
  absl::TimeZone zone_;
  const bus::PartitionOwnership* ownership_;
};

}  // namespace breachd::register_
