// The register's store schema: every projection row it writes, and how its key is built.
//
//   entry/<tenant>/<breach_id>                    -> breach.v1.RegisterEntry
//   breach/<breach_id>                            -> tenant (find an entry from its id)
//   history/<breach_id>/<source>/<stream_version>/<event_id> -> breach.v1.EventEnvelope: every
//     event the entry is folded from (register_entry.h), so that it can be folded again
//   timeline/<breach_id>/<recorded_at>/<source>/<stream_version>/<event_id>
//                                                 -> breach.v1.TimelineEntry
//     recorded_at as 20-digit zero-padded Unix nanoseconds, so rows sort by time, and the events
//     of one append (one source, one instant) in their stream order; stream_version 20 digits.
//   knowledge-src/<breach_id>                     -> breach.v1.KnowledgeSources: the facts,
//     reads and acts of the breach (register_knowledge.h)
//   knowledge/<breach_id>                         -> breach.v1.Knowledge folded from them
//   fold-heads/<breach_id>                        -> breach.v1.RegisterFoldHeads: how far the
//     entry is folded, written with it (none: the next event refolds the history)
//   register-schema                               -> the schema version of these rows ("4")
// Events of its own (BreachViewed, BreachesListed, AccessDenied) are on breach and audit
// streams of the same store.
//
// Schema versions: 1 (no register-schema row) had no history rows and timeline keys without
// source and stream version; 2 had fewer columns in the entries, 3 no knowledge rows; a store of an earlier version is rebuilt from the sources at start
// (PrepareStore).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "breach/v1/envelope.pb.h"
#include "breach/v1/register.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "libs/eventstore/event_store.h"

namespace breachd::register_ {

// Unix nanoseconds as 20 zero-padded digits, written as seconds then nanos so that no time
// overflows int64 nanoseconds; times before 1970 sort first as 0 (recorded_at never is).
std::string PaddedNanos(const google::protobuf::Timestamp& ts);

std::string EntryKey(const std::string& tenant, const std::string& breach_id);
std::string EntryPrefix(const std::string& tenant);  // "" tenant: every school
std::string BreachTenantKey(const std::string& breach_id);
std::string TimelinePrefix(const std::string& breach_id);
std::string TimelineKey(const std::string& breach_id, const breach::v1::EventEnvelope& event);
std::string HistoryPrefix(const std::string& breach_id);
std::string HistoryKey(const std::string& breach_id, const breach::v1::EventEnvelope& event);

// The precomputed knowledge earlier versions wrote; no longer written (GetKnowledge folds the
// sources row), its prefix kept so that a rebuild drops what is left of it.
std::string KnowledgeKey(const std::string& breach_id);
std::string KnowledgeSourcesKey(const std::string& breach_id);
std::string FoldHeadsKey(const std::string& breach_id);

inline constexpr char kSchemaKey[] = "register-schema";
inline constexpr int kSchemaVersion = 4;

// Readies the store for this schema before anything consumes: a store written by an earlier
// version loses every projection row and consumed marker (ResetProjections: entries, timelines,
// checkpoints), so the subscription catches up from the first event of every source and
// rebuilds the register; its own events stay. True if it did; FAILED_PRECONDITION for a store
// written by a later version. A fresh store just gets its register-schema row.
absl::StatusOr<bool> PrepareStore(eventstore::EventStore& store);

// A stored row as its message; DATA_LOSS naming the key if it does not parse.
template <typename T>
absl::StatusOr<T> ParseRow(const std::string& bytes, const std::string& key) {
  T message;
  if (!message.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("register row ", key, " is unreadable"));
  }
  return message;
}

// The entry of a breach (nullopt if the register has none).
absl::StatusOr<std::optional<breach::v1::RegisterEntry>> FindEntry(eventstore::EventStore& store,
                                                                   const std::string& tenant,
                                                                   const std::string& breach_id);
absl::StatusOr<std::optional<breach::v1::RegisterEntry>> FindEntryById(
    eventstore::EventStore& store, const std::string& breach_id);

// A row of the register's store as its message, nullopt if absent; DATA_LOSS if unreadable.
template <typename T>
absl::StatusOr<std::optional<T>> FindRow(eventstore::EventStore& store, const std::string& key) {
  absl::StatusOr<std::optional<std::string>> bytes = store.GetProjection(key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  absl::StatusOr<T> row = ParseRow<T>(**bytes, key);
  if (!row.ok()) return row.status();
  return *std::move(row);
}

// The events a breach's entry is folded from, as stored (history/ rows).
absl::StatusOr<std::vector<breach::v1::EventEnvelope>> ReadHistory(eventstore::EventStore& store,
                                                                   const std::string& breach_id);

}  // namespace breachd::register_
