#include "services/register/register_rebuild.h"

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "breach/v1/events.pb.h"
#include "services/register/register_entry.h"
#include "services/register/register_knowledge.h"
#include "services/register/register_projection.h"
#include "services/register/register_schema.h"

namespace breachd::register_ {

using breach::v1::EventEnvelope;

RebuildFold::RebuildFold(absl::TimeZone zone, int threads, size_t chunk_rows,
                         const bus::PartitionOwnership* ownership)
    : zone_(zone), threads_(threads), chunk_rows_(chunk_rows), ownership_(ownership) {
  if (ownership_ != nullptr) applied_at_start_ = ownership_->view().applied;
}

void RebuildFold::Touch(const std::string& breach_id, Breach& breach) {
  if (breach.touched) return;
  breach.touched = true;
  touched_.emplace_back(&breach_id, &breach);
}

bool RebuildFold::Takes(const std::string& breach_id) const {
  return share_.Holds(breach_id) && (ownership_ == nullptr || ownership_->Applies(breach_id));
}

std::vector<std::string> RebuildFold::KeysOf(const EventEnvelope& event) const {
  std::string breach_id = BreachIdOf(event);
  if (breach_id.empty()) return ListedBreaches(event);
  return {std::move(breach_id)};
}

void RebuildFold::Restrict(service::FoldShare share) {
  share_ = std::move(share);
  touched_.clear();
  breaches_.clear();
  events_held_ = 0;
}

absl::StatusOr<bool> RebuildFold::Add(const EventEnvelope& event) {
  std::string breach_id = BreachIdOf(event);
  if (breach_id.empty()) {
    // Listings and exports name breaches whose events may come later, or never.
    const std::vector<std::string> listed = ListedBreaches(event);
    if (!listed.empty()) {
      const breach::v1::KnowledgeSources::Read read = ListingRead(event);
      for (const std::string& id : listed) {
        if (!Takes(id)) continue;
        auto [it, fresh] = breaches_.try_emplace(id);
        it->second.listed.push_back(read);
        Touch(it->first, it->second);
      }
    }
    // As the consumer: partitioned, a listing is never marked, so that a breach gained later
    // still learns of it.
    return ownership_ == nullptr;
  }
  if (event.tenant().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), " has no tenant"));
  }
  if (!Takes(breach_id)) return false;
  auto [it, fresh] = breaches_.try_emplace(std::move(breach_id));
  Breach& breach = it->second;
  // The bytes a consumer's history row holds (register_projection.cc: the event serialized).
  (ChangesEntry(event) ? breach.history : breach.reads).push_back(event.SerializeAsString());
  ++events_held_;
  Touch(it->first, breach);
  return true;
}

absl::Status RebuildFold::AppendRows(const std::string& breach_id, const Breach& breach,
                                     Scratch& scratch,
                                     std::vector<eventstore::ProjectionWrite>& rows) const {
  // Decoded into the thread's scratch messages: the history first, then the reads.
  const size_t count = breach.history.size() + breach.reads.size();
  while (scratch.events.size() < count) {
    scratch.events.push_back(std::make_unique<EventEnvelope>());
  }
  std::vector<const EventEnvelope*> history, all;
  history.reserve(breach.history.size());
  all.reserve(count);
  for (const auto* held : {&breach.history, &breach.reads}) {
    for (const std::string& bytes : *held) {
      EventEnvelope& event = *scratch.events[all.size()];
      if (!event.ParseFromString(bytes)) {
        return absl::DataLossError(absl::StrCat("an event of breach ", breach_id,
                                                " held for the rebuild does not decode"));
      }
      if (held == &breach.history) history.push_back(&event);
      all.push_back(&event);
    }
  }
  breach::v1::KnowledgeSources sources;
  bool knowledge = false;
  for (const EventEnvelope* event : all) {
    FillTimelineEntry(*event, scratch.line);
    rows.push_back({TimelineKey(breach_id, *event), scratch.line.SerializeAsString()});
    knowledge |= AddToKnowledge(*event, sources);
  }
  for (size_t i = 0; i < history.size(); ++i) {
    // The bytes held are the event serialized: the row as the consumer writes it.
    rows.push_back({HistoryKey(breach_id, *history[i]), breach.history[i]});
  }
  for (const auto& read : breach.listed) {
    // As the consumer: a listing counted once however often it comes.
    const bool known = std::any_of(sources.reads().begin(), sources.reads().end(),
                                   [&](const auto& seen) { return seen.event_id() == read.event_id(); });
    if (!known) *sources.add_reads() = read;
    knowledge = true;
  }
  std::optional<breach::v1::RegisterEntry> entry = FoldEntry(history, zone_);
  if (entry.has_value()) {
    rows.push_back({BreachTenantKey(breach_id), entry->tenant()});
    rows.push_back({EntryKey(entry->tenant(), breach_id), entry->SerializeAsString()});
  }
  if (knowledge) {
    rows.push_back({KnowledgeSourcesKey(breach_id), sources.SerializeAsString()});
  }
  return absl::OkStatus();
}

absl::Status RebuildFold::TakeRows(const RowSink& sink) {
  if (ownership_ != nullptr && ownership_->view().applied != applied_at_start_) {
    return absl::AbortedError(
        "this instance's partitions changed during the rebuild; run it again");
  }
  std::vector<std::pair<const std::string*, Breach*>> work;
  work.swap(touched_);
  for (auto& [id, breach] : work) breach->touched = false;
  const int threads = std::max(1, std::min<int>(threads_, static_cast<int>(work.size())));
  absl::Mutex mu;
  absl::Status first_error;
  auto fold = [&](size_t begin, size_t end) {
    std::vector<eventstore::ProjectionWrite> rows;
    rows.reserve(chunk_rows_ + chunk_rows_ / 8);
    auto flush = [&]() -> bool {
      absl::Status written = sink(std::move(rows));
      rows = {};
      rows.reserve(chunk_rows_ + chunk_rows_ / 8);
      absl::MutexLock lock(&mu);
      if (!written.ok() && first_error.ok()) first_error = written;
      return first_error.ok();
    };
    Scratch scratch;
    for (size_t i = begin; i < end; ++i) {
      if (absl::Status appended = AppendRows(*work[i].first, *work[i].second, scratch, rows);
          !appended.ok()) {
        absl::MutexLock lock(&mu);
        if (first_error.ok()) first_error = appended;
        return;
      }
      if (rows.size() >= chunk_rows_ && !flush()) return;
    }
    if (!rows.empty()) flush();
  };
  // Contiguous shares: breaches are independent, so the threads share nothing but the sink.
  std::vector<std::thread> pool;
  const size_t share = (work.size() + threads - 1) / std::max(threads, 1);
  for (int t = 1; t < threads; ++t) {
    pool.emplace_back(fold, std::min(work.size(), t * share), std::min(work.size(), (t + 1) * share));
  }
  fold(0, std::min(work.size(), share));
  for (std::thread& thread : pool) thread.join();
  return first_error;
}

absl::StatusOr<std::vector<eventstore::ProjectionWrite>> RebuildRows(
    const std::vector<EventEnvelope>& events, const absl::TimeZone& zone) {
  RebuildFold fold(zone, /*threads=*/1, /*chunk_rows=*/events.size() * 2 + 1);
  for (const EventEnvelope& event : events) {
    absl::StatusOr<bool> added = fold.Add(event);
    if (!added.ok()) return added.status();
  }
  std::vector<eventstore::ProjectionWrite> rows;
  rows.reserve(events.size() * 2);
  absl::Status taken = fold.TakeRows([&](std::vector<eventstore::ProjectionWrite> chunk) {
                                       std::move(chunk.begin(), chunk.end(), std::back_inserter(rows));
                                       return absl::OkStatus();
                                     });
  if (!taken.ok()) return taken;
  return rows;
}

std::vector<std::string> RebuildFold::FoldedPrefixes() const {
  // As register_schema.h builds them (KnowledgeKey: rows of earlier versions, dropped).
  return {EntryPrefix(""), BreachTenantKey(""), "history/", "timeline/", KnowledgeKey(""),
          KnowledgeSourcesKey("")};
}

}  // namespace breachd::register_
