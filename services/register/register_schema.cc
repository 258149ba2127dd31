#include "services/register/register_schema.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace breachd::register_ {
namespace {

// `value` in decimal, zero-padded to `width` digits (more if it has more): what "%0<width>d"
// prints, without a format string to parse for each of the millions of keys of a rebuild.
void AppendPadded(std::string& out, uint64_t value, size_t width) {
  char digits[20];
  size_t count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  if (count < width) out.append(width - count, '0');
  while (count > 0) out.push_back(digits[--count]);
}

void AppendPaddedNanos(std::string& out, const google::protobuf::Timestamp& ts) {
  AppendPadded(out, static_cast<uint64_t>(std::max<int64_t>(ts.seconds(), 0)), 11);
  AppendPadded(out, static_cast<uint64_t>(std::clamp(ts.nanos(), 0, 999'999'999)), 9);
}

// "<source>/<version, 20 digits>/<event id>": where an event sits in its source's stream.
void AppendStreamPlace(std::string& out, const breach::v1::EventEnvelope& event) {
  out.append(event.source()).push_back('/');
  AppendPadded(out, event.stream_version(), 20);
  out.append("/").append(event.event_id());
}

}  // namespace

std::string PaddedNanos(const google::protobuf::Timestamp& ts) {
  std::string padded;
  padded.reserve(20);
  AppendPaddedNanos(padded, ts);
  return padded;
}

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
  std::string key;
  key.reserve(64 + breach_id.size() + event.source().size() + event.event_id().size());
  key.append("timeline/").append(breach_id).push_back('/');
  AppendPaddedNanos(key, event.recorded_at());
  key.push_back('/');
  AppendStreamPlace(key, event);
  return key;
}
std::string HistoryPrefix(const std::string& breach_id) {
  return absl::StrCat("history/", breach_id, "/");
}
std::string HistoryKey(const std::string& breach_id, const breach::v1::EventEnvelope& event) {
  std::string key;
  key.reserve(32 + breach_id.size() + event.source().size() + event.event_id().size());
  key.append("history/").append(breach_id).push_back('/');
  AppendStreamPlace(key, event);
  return key;
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
