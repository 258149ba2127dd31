// Lets the bus relay drain an event store's outbox.
#pragma once

#include "libs/bus/bus.h"
#include "libs/eventstore/event_store.h"

namespace breachd::service {

class StoreOutbox final : public bus::OutboxSource {
 public:
  explicit StoreOutbox(eventstore::EventStore& store) : store_(store) {}
  absl::StatusOr<std::vector<breach::v1::EventEnvelope>> PendingOutbox(size_t limit) override {
    return store_.PendingOutbox(limit);
  }
  absl::Status AckOutbox(const std::vector<uint64_t>& positions) override {
    return store_.AckOutbox(positions);
  }
  absl::Status ParkOutbox(uint64_t position, const std::string& reason) override {
    return store_.ParkOutbox(position, reason);
  }

 private:
  eventstore::EventStore& store_;
};

}  // namespace breachd::service
