// The register's store schema: every projection row it writes, and how its key is built.
//
//   entry/<tenant>/<breach_id>                    -> breach.v1.RegisterEntry
//   breach/<breach_id>                            -> tenant (find an entry from its id)
//   timeline/<breach_id>/<recorded_at>/<event_id> -> breach.v1.TimelineEntry
//     recorded_at as 20-digit zero-padded Unix nanoseconds, so rows sort by time.
// Events of its own (BreachViewed, BreachesListed, AccessDenied) are on breach and audit
// streams of the same store.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "breach/v1/register.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "libs/eventstore/event_store.h"

namespace breachd::register_ {

std::string EntryKey(const std::string& tenant, const std::string& breach_id);
std::string EntryPrefix(const std::string& tenant);  // "" tenant: every school
std::string BreachTenantKey(const std::string& breach_id);
std::string TimelinePrefix(const std::string& breach_id);
std::string TimelineKey(const std::string& breach_id, const google::protobuf::Timestamp& recorded_at,
                        const std::string& event_id);

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

}  // namespace breachd::register_
