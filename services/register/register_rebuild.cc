#include "services/register/register_rebuild.h"

#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/register.pb.h"
#include "services/register/register_entry.h"
#include "services/register/register_knowledge.h"
#include "services/register/register_projection.h"
#include "services/register/register_schema.h"

namespace breachd::register_ {

absl::StatusOr<std::vector<eventstore::ProjectionWrite>> RebuildRows(
    const std::vector<breach::v1::EventEnvelope>& events, const absl::TimeZone& zone) {
  struct Breach {
    std::vector<breach::v1::EventEnvelope> history;
    breach::v1::KnowledgeSources sources;
    bool knowledge = false;
  };
  std::map<std::string, Breach> breaches;
  std::vector<eventstore::ProjectionWrite> rows;
  rows.reserve(events.size() * 2);
  // Listings and exports name breaches whose events may come later: applied after the rest.
  std::vector<const breach::v1::EventEnvelope*> listings;
  for (const breach::v1::EventEnvelope& event : events) {
    const std::string breach_id = BreachIdOf(event);
    if (breach_id.empty()) {
      if (!ListedBreaches(event).empty()) listings.push_back(&event);
      continue;
    }
    if (event.tenant().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), " has no tenant"));
    }
    Breach& breach = breaches[breach_id];
    rows.push_back({TimelineKey(breach_id, event), ToTimelineEntry(event).SerializeAsString()});
    breach.knowledge |= AddToKnowledge(event, breach.sources);
    if (!ChangesEntry(event)) continue;
    rows.push_back({HistoryKey(breach_id, event), event.SerializeAsString()});
    breach.history.push_back(event);
  }
  for (const breach::v1::EventEnvelope* listing : listings) {
    for (const std::string& breach_id : ListedBreaches(*listing)) {
      Breach& breach = breaches[breach_id];
      *breach.sources.add_reads() = ListingRead(*listing);
      breach.knowledge = true;
    }
  }
  for (auto& [breach_id, breach] : breaches) {
    std::optional<breach::v1::RegisterEntry> entry = FoldEntry(breach.history, zone);
    if (entry.has_value()) {
      rows.push_back({BreachTenantKey(breach_id), entry->tenant()});
      rows.push_back({EntryKey(entry->tenant(), breach_id), entry->SerializeAsString()});
    }
    if (breach.knowledge) {
      rows.push_back({KnowledgeKey(breach_id),
                      FoldKnowledge(breach_id, breach.sources).SerializeAsString()});
      rows.push_back({KnowledgeSourcesKey(breach_id), breach.sources.SerializeAsString()});
    }
  }
  return rows;
}

}  // namespace breachd::register_
