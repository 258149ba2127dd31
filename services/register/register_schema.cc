#include "services/register/register_schema.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/status_macros.h"

namespace breachd::register_ {
std::string PaddedNanos(const google::protobuf::Timestamp& ts) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%011lld%09d",
                static_cast<long long>(std::max<int64_t>(ts.seconds(), 0)),
                std::clamp(ts.nanos(), 0, 999'999'999));
  return buf;
}

namespace {

std::string PaddedVersion(uint64_t version) { return absl::StrFormat("%020d", version); }

}  // namespace

std::string EntryKey(const std::string& tenant, const std::string& breach_id) {
  return absl::StrCat("entry/", tenant, "/", breach_id);
}
std::string EntryPrefix(const std::string& tenant) {
  return tenant.empty() ? "entry/" : absl::StrCat("entry/", tenant, "/");
}
std::string BreachTenantKey(const std::string& breach_id) {
  return absl::StrCat("breach/", breach_id);
}
std::string TimelinePrefix(const std::string& breach_id) {
  return absl::StrCat("timeline/", breach_id, "/");
}
std::string TimelineKey(const std::string& breach_id, const breach::v1::EventEnvelope& event) {
  return absl::StrCat(TimelinePrefix(breach_id), PaddedNanos(event.recorded_at()), "/",
                      event.source(), "/", PaddedVersion(event.stream_version()), "/",
                      event.event_id());
}
std::string HistoryPrefix(const std::string& breach_id) {
  return absl::StrCat("history/", breach_id, "/");
}
std::string HistoryKey(const std::string& breach_id, const breach::v1::EventEnvelope& event) {
  return absl::StrCat(HistoryPrefix(breach_id), event.source(), "/",
                      PaddedVersion(event.stream_version()), "/", event.event_id());
}

std::string KnowledgeKey(const std::string& breach_id) {
  return absl::StrCat("knowledge/", breach_id);
}
std::string KnowledgeSourcesKey(const std::string& breach_id) {
  return absl::StrCat("knowledge-src/", breach_id);
}
std::string FoldHeadsKey(const std::string& breach_id) {
  return absl::StrCat("fold-heads/", breach_id);
}

absl::StatusOr<bool> PrepareStore(eventstore::EventStore& store) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored, store.GetProjection(kSchemaKey));
  int version = 1;
  if (stored.has_value() && !absl::SimpleAtoi(*stored, &version)) {
    return absl::DataLossError(absl::StrCat("register row ", kSchemaKey, " is unreadable"));
  }
  if (version > kSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("the register's store has schema ", version, ", written by a later breachd; "
                     "this one reads schema ", kSchemaVersion));
  }
  if (version == kSchemaVersion) return false;
  bool empty = true;
  RETURN_IF_ERROR(store.ScanProjection("", "", [&](const std::string&, const std::string&) {
    empty = false;
    return false;
  }));
  RETURN_IF_ERROR(store.ResetProjections());
  // Synced: also makes the reset durable before anything is applied again.
  RETURN_IF_ERROR(
      store.WriteProjection({{kSchemaKey, absl::StrCat(kSchemaVersion)}}, /*sync=*/true));
  return !empty;
}

absl::StatusOr<std::optional<breach::v1::RegisterEntry>> FindEntry(eventstore::EventStore& store,
                                                                   const std::string& tenant,
                                                                   const std::string& breach_id) {
  return FindRow<breach::v1::RegisterEntry>(store, EntryKey(tenant, breach_id));
}

absl::StatusOr<std::optional<breach::v1::RegisterEntry>> FindEntryById(
    eventstore::EventStore& store, const std::string& breach_id) {
  absl::StatusOr<std::optional<std::string>> tenant =
      store.GetProjection(BreachTenantKey(breach_id));
  if (!tenant.ok()) return tenant.status();
  if (!tenant->has_value()) return std::nullopt;
  return FindEntry(store, **tenant, breach_id);
}

absl::StatusOr<std::vector<breach::v1::EventEnvelope>> ReadHistory(eventstore::EventStore& store,
                                                                   const std::string& breach_id) {
  std::vector<breach::v1::EventEnvelope> history;
  absl::Status row_status;
  RETURN_IF_ERROR(store.ScanProjection(
      HistoryPrefix(breach_id), "", [&](const std::string& key, const std::string& value) {
        absl::StatusOr<breach::v1::EventEnvelope> event =
            ParseRow<breach::v1::EventEnvelope>(value, key);
        if (!event.ok()) {
          row_status = event.status();
          return false;
        }
        history.push_back(*std::move(event));
        return true;
      }));
  RETURN_IF_ERROR(row_status);
  return history;
}

}  // namespace breachd::register_
