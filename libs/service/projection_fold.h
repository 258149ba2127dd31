// How a consuming service's projection is rebuilt from the events in one pass (rather than event
// by event, as its consumer applies them): the events go in as read, the rows come out.
// delivery::ProjectionRebuild drives it beside the serving projection (docs/register.md).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "breach/v1/envelope.pb.h"
#include "libs/eventstore/event_store.h"

namespace breachd::service {

class ProjectionFold {
 public:
  virtual ~ProjectionFold() = default;
  // Takes one event of a source (each once, any order). An error stops the rebuild.
  virtual absl::Status Add(breach::v1::EventEnvelope event) = 0;
  // Receives a chunk of rows; may be called from several threads at once.
  using RowSink = std::function<absl::Status(std::vector<eventstore::ProjectionWrite> rows)>;
  // Hands `sink` the rows of everything the events added since the last call changed (all of
  // them the first time), exactly as the consumer would have written them.
  virtual absl::Status TakeRows(const RowSink& sink) = 0;
  // The key prefixes of the rows it writes. Every other row of the serving projection (the
  // subscription's checkpoints and parked events, a schema row) is carried over at the swap.
  virtual std::vector<std::string> FoldedPrefixes() const = 0;
};

}  // namespace breachd::service
