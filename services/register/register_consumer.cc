#include "services/register/register_consumer.h"

#include <algorithm>

#include "libs/common/status_macros.h"
#include "services/register/register_entry.h"
#include "services/register/register_knowledge.h"
#include "services/register/register_projection.h"
#include "services/register/register_schema.h"

namespace breachd::register_ {

absl::StatusOr<std::vector<eventstore::ProjectionWrite>> RegisterConsumer::EntryRows(
    const breach::v1::EventEnvelope& event, const std::string& breach_id) {
  if (breach_id.empty() || !ChangesEntry(event)) return Project(event, {}, zone_);
  // An event that comes after all those the stored entry was folded from (the usual case: a
  // breach's events arrive in order) is folded onto it; otherwise the whole history again.
  ASSIGN_OR_RETURN(std::optional<breach::v1::RegisterFoldHeads> heads,
                   FindRow<breach::v1::RegisterFoldHeads>(store_, FoldHeadsKey(breach_id)));
  if (heads.has_value() && FoldsLast(*heads, event)) {
    ASSIGN_OR_RETURN(std::optional<breach::v1::RegisterEntry> entry,
                     FindEntry(store_, event.tenant(), breach_id));
    if (entry.has_value()) {
      ASSIGN_OR_RETURN(auto onto, ProjectOnto(event, *std::move(entry), *std::move(heads), zone_));
      if (onto.has_value()) return *std::move(onto);
    }
  }
  ASSIGN_OR_RETURN(std::vector<breach::v1::EventEnvelope> history, ReadHistory(store_, breach_id));
  return Project(event, std::move(history), zone_);
}

absl::StatusOr<bool> RegisterConsumer::ApplyConsumed(const breach::v1::EventEnvelope& event) {
  const std::string breach_id = BreachIdOf(event);
  if (ownership_ != nullptr && !breach_id.empty() && !ownership_->Applies(breach_id)) {
    return false;  // another instance's breach: not marked, so it applies here if it moves
  }
  if (!breach_id.empty()) {
    // An event seen before (the bus redelivers, catch-up reads a source again, a gained
    // partition re-reads every source) costs one lookup, not a refold of its breach.
    ASSIGN_OR_RETURN(bool consumed, store_.WasConsumed(event.event_id()));
    if (consumed) return false;
  }
  ASSIGN_OR_RETURN(std::vector<eventstore::ProjectionWrite> writes, EntryRows(event, breach_id));
  // Who knew what: the event's breach, or every breach a page of the register listed.
  std::vector<std::string> breaches = ListedBreaches(event);
  if (!breach_id.empty()) {
    // Most events of a breach tell nothing of who knew what (a clock, a delivery): those need
    // no read of its sources. Tried on empty sources: an event that adds nothing there adds
    // nothing to any.
    breach::v1::KnowledgeSources probe;
    breaches.clear();
    if (AddToKnowledge(event, probe)) breaches = {breach_id};
  }
  if (ownership_ != nullptr && breach_id.empty()) {
    // A listing of several breaches, maybe some held elsewhere: each breach takes it once
    // (its reads below are deduped by event id), and the event is not marked consumed, so a
    // breach gained later still learns of it.
    std::erase_if(breaches, [&](const std::string& id) { return !ownership_->Applies(id); });
  }
  for (const std::string& id : breaches) {
    ASSIGN_OR_RETURN(std::optional<breach::v1::KnowledgeSources> stored,
                     FindRow<breach::v1::KnowledgeSources>(store_, KnowledgeSourcesKey(id)));
    breach::v1::KnowledgeSources sources = stored.value_or(breach::v1::KnowledgeSources());
    bool changed = false;
    if (breach_id.empty()) {
      const bool known = std::any_of(sources.reads().begin(), sources.reads().end(),
                                     [&](const auto& read) { return read.event_id() == event.event_id(); });
      if (!known) *sources.add_reads() = ListingRead(event);
      changed = !known;
    } else {
      changed = AddToKnowledge(event, sources);
    }
    if (!changed) continue;
    // Only the sources: GetKnowledge folds them after opening the sealed readers, so a
    // precomputed answer (refolded on every read of the breach) would never be read.
    writes.push_back({KnowledgeSourcesKey(id), sources.SerializeAsString()});
  }
  if (ownership_ != nullptr && breach_id.empty()) {
    if (writes.empty()) return false;
    RETURN_IF_ERROR(store_.WriteProjection(writes, /*sync=*/false));
    return true;
  }
  // Not fsynced here: the consumer syncs once before it commits offsets (see Suite).
  return store_.ApplyConsumed(event.event_id(), writes, /*sync=*/false);
}

}  // namespace breachd::register_
