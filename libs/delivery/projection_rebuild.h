// Rebuilds a consuming service's projection from its sources' stores beside the serving one,
// then swaps it in (docs/register.md, "Rebuild"):
//
//   1. a staged generation of the store's projection is created (EventStore::StageProjection);
//   2. every source's store is read from its first event over EventFeedService, each event
//      decoded once into the fold (service::ProjectionFold), and the rows folded on every core
//      are written to the staged generation in large unsynced batches, with the events the fold
//      took marked consumed there (in several passes, one share of the keys each, when the
//      history is larger than the memory allowed: see kDefaultEventsInMemory);
//   3. what arrived meanwhile is read and folded again (only the breaches it touched);
//   4. under the subscription's lock (no event applied or parked by the live consumer): the last
//      arrivals likewise, the subscription's rows (checkpoints, parked events) and the service's
//      other rows carried over, then the swap: one synced write makes the staged generation the
//      serving one, and the old one is dropped.
//
// Meanwhile the old generation serves reads and the live consumer keeps applying to it. Every
// event applied to it before the swap is in a source store below the heads step 4 read to, so
// it is in the new one too; after the swap the consumer applies to the new one, where the
// events already folded are marked consumed: nothing lost, nothing applied twice. A crash or a
// stop before the swap leaves the old generation serving; the staged one is dropped at open.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "breach/v1/admin.pb.h"
#include "libs/delivery/subscription.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/projection_fold.h"

namespace breachd::delivery {

// Bounded memory: a fold that can hold a share of its keys (ProjectionFold::CanShare) holds
// about `events_in_memory` events at most. A larger history is rebuilt in ceil(events /
// events_in_memory) passes, each reading every source again (to the heads the first pass
// reached) and folding the keys of one share (by hash); the catch-up then reads the sources again
// from the start for the keys the arrivals touched. At most this many events of the register
// take about 1 GB in memory (docs/register.md, "Rebuild").
inline constexpr uint64_t kDefaultEventsInMemory = 1'000'000;

class ProjectionRebuild {
 public:
  // `store` and `subscription` are the consumer's (not owned; they outlive this). `new_fold`
  // makes a fresh fold for each rebuild.
  ProjectionRebuild(std::string service, eventstore::EventStore& store,
                    Subscription& subscription,
                    std::function<std::unique_ptr<service::ProjectionFold>()> new_fold,
                    uint64_t events_in_memory = kDefaultEventsInMemory)
      : service_(std::move(service)), store_(store), subscription_(subscription),
        new_fold_(std::move(new_fold)), events_in_memory_(events_in_memory) {}

  // Told of the progress at each step and every read batch or written chunk (from the rebuild's
  // threads, one call at a time).
  using Progress = std::function<void(const breach::v1::RebuildProgress& progress)>;
  // Runs a rebuild to its swap. FAILED_PRECONDITION while another rebuild of this projection
  // runs; UNAVAILABLE when a source cannot be read (the old projection keeps serving, the staged
  // one is dropped).
  absl::Status Run(const Progress& progress);

 private:
  class Pass;

  const std::string service_;
  eventstore::EventStore& store_;
  Subscription& subscription_;
  const std::function<std::unique_ptr<service::ProjectionFold>()> new_fold_;
  const uint64_t events_in_memory_;
  std::atomic<bool> running_{false};
};

}  // namespace breachd::delivery
