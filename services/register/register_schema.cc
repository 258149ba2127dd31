#include "services/register/register_schema.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace breachd::register_ {
namespace {

// Unix nanoseconds as 20 zero-padded digits, written as seconds then nanos so that no time
// overflows int64 nanoseconds; times before 1970 sort first as 0 (recorded_at never is).
std::string PaddedNanos(const google::protobuf::Timestamp& ts) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%011lld%09d",
                static_cast<long long>(std::max<int64_t>(ts.seconds(), 0)),
                std::clamp(ts.nanos(), 0, 999'999'999));
  return buf;
}

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
std::string TimelineKey(const std::string& breach_id, const google::protobuf::Timestamp& recorded_at,
                        const std::string& event_id) {
  return absl::StrCat(TimelinePrefix(breach_id), PaddedNanos(recorded_at), "/", event_id);
}

absl::StatusOr<std::optional<breach::v1::RegisterEntry>> FindEntry(eventstore::EventStore& store,
                                                                   const std::string& tenant,
                                                                   const std::string& breach_id) {
  const std::string key = EntryKey(tenant, breach_id);
  absl::StatusOr<std::optional<std::string>> bytes = store.GetProjection(key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  absl::StatusOr<breach::v1::RegisterEntry> entry =
      ParseRow<breach::v1::RegisterEntry>(**bytes, key);
  if (!entry.ok()) return entry.status();
  return *std::move(entry);
}

absl::StatusOr<std::optional<breach::v1::RegisterEntry>> FindEntryById(
    eventstore::EventStore& store, const std::string& breach_id) {
  absl::StatusOr<std::optional<std::string>> tenant =
      store.GetProjection(BreachTenantKey(breach_id));
  if (!tenant.ok()) return tenant.status();
  if (!tenant->has_value()) return std::nullopt;
  return FindEntry(store, **tenant, breach_id);
}

}  // namespace breachd::register_
