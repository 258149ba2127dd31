#include "services/notification/notification_schema.h"

#include <cinttypes>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/service/projection_rows.h"

namespace breachd::notification {
namespace {

std::string Micros(absl::Time at) {
  // Clamped to the epoch: dispatch times are "now" or later, never before 1970.
  return absl::StrFormat("%020" PRId64, std::max<int64_t>(0, absl::ToUnixMicros(at)));
}

}  // namespace

std::string CaseKey(const std::string& breach_id) { return absl::StrCat("case/", breach_id); }
std::string ClockKey(const std::string& breach_id, breach::v1::DutyKind duty) {
  return absl::StrFormat("clock/%s/%02d", breach_id, static_cast<int>(duty));
}
std::string ClockPrefix(const std::string& breach_id) {
  return breach_id.empty() ? "clock/" : absl::StrCat("clock/", breach_id, "/");
}
std::string DraftKey(const std::string& breach_id, breach::v1::DutyKind duty, uint32_t version) {
  return absl::StrFormat("%s%010u", DraftPrefix(breach_id, duty), version);
}
std::string DraftPrefix(const std::string& breach_id, breach::v1::DutyKind duty) {
  return absl::StrFormat("draft/%s/%02d/", breach_id, static_cast<int>(duty));
}
std::string DeliveryKey(const std::string& breach_id, const std::string& delivery_id) {
  return absl::StrCat(DeliveryPrefix(breach_id), delivery_id);
}
std::string DeliveryPrefix(const std::string& breach_id) {
  return absl::StrCat("delivery/", breach_id, "/");
}
std::string DispatchKey(absl::Time due, const std::string& breach_id,
                        const std::string& delivery_id) {
  return absl::StrCat(kDispatchPrefix, Micros(due), "/", breach_id, "/", delivery_id);
}
std::string ReceiptKey(const breach::v1::Receipt& receipt) {
  return absl::StrFormat("%s%s/%02d", ReceiptPrefix(receipt.breach_id()),
                         Micros(TimeFromProto(receipt.received_at())),
                         static_cast<int>(receipt.kind()));
}
std::string ReceiptPrefix(const std::string& breach_id) {
  return absl::StrCat("receipt/", breach_id, "/");
}
std::string SchoolKey(const std::string& tenant) { return absl::StrCat("school/", tenant); }
std::string ReactedKey(const std::string& event_id) { return absl::StrCat("reacted/", event_id); }
std::string RequestKey(const std::string& tenant, const std::string& request_id) {
  return absl::StrCat("idempotency/", tenant, "/", request_id);
}
std::string SchoolStreamId(const std::string& tenant) { return absl::StrCat("school-", tenant); }
std::string DraftDueKey(const std::string& breach_id, int seq) {
  return absl::StrFormat("%s%s/%06d", kDraftDuePrefix, breach_id, seq);
}
std::string DraftParkedKey(const std::string& due_key) {
  return absl::StrCat(kDraftParkedPrefix,
                      absl::string_view(due_key).substr(sizeof(kDraftDuePrefix) - 1));
}
std::string DraftDueKeyOfParked(const std::string& parked_key) {
  return absl::StrCat(kDraftDuePrefix,
                      absl::string_view(parked_key).substr(sizeof(kDraftParkedPrefix) - 1));
}

absl::StatusOr<std::optional<breach::v1::NotificationCase>> FindCase(
    eventstore::EventStore& store, const std::string& breach_id) {
  return service::ReadRow<breach::v1::NotificationCase>(store, CaseKey(breach_id));
}

absl::StatusOr<ClockMap> ReadClocks(eventstore::EventStore& store, const std::string& breach_id) {
  ASSIGN_OR_RETURN(std::vector<breach::v1::DutyClock> rows,
                   service::ReadRows<breach::v1::DutyClock>(store, ClockPrefix(breach_id)));
  ClockMap clocks;
  for (auto& clock : rows) clocks[clock.deadline().duty()] = std::move(clock);
  return clocks;
}

absl::StatusOr<std::optional<breach::v1::Draft>> FindDraft(eventstore::EventStore& store,
                                                           const std::string& breach_id,
                                                           breach::v1::DutyKind duty,
                                                           uint32_t version) {
  if (version != 0) {
    return service::ReadRow<breach::v1::Draft>(store, DraftKey(breach_id, duty, version));
  }
  ASSIGN_OR_RETURN(std::vector<breach::v1::Draft> drafts,
                   service::ReadRows<breach::v1::Draft>(store, DraftPrefix(breach_id, duty)));
  if (drafts.empty()) return std::nullopt;
  return drafts.back();
}

absl::StatusOr<std::vector<breach::v1::Delivery>> ReadDeliveries(eventstore::EventStore& store,
                                                                 const std::string& breach_id) {
  return service::ReadRows<breach::v1::Delivery>(store, DeliveryPrefix(breach_id));
}

absl::StatusOr<std::optional<breach::v1::SchoolProfile>> FindSchool(
    eventstore::EventStore& store, const std::string& tenant, privacy::FieldCipher* cipher) {
  ASSIGN_OR_RETURN(std::optional<breach::v1::SchoolProfile> school,
                   service::ReadRow<breach::v1::SchoolProfile>(store, SchoolKey(tenant)));
  if (school.has_value() && cipher != nullptr) cipher->OpenPersonalData(*school);
  return school;
}

absl::StatusOr<std::vector<DispatchEntry>> DueDispatches(eventstore::EventStore& store,
                                                         absl::Time now, size_t limit) {
  std::vector<DispatchEntry> due;
  absl::Status parse_error;
  RETURN_IF_ERROR(store.ScanProjection(
      kDispatchPrefix, "", [&](const std::string& key, const std::string&) {
        std::vector<std::string> parts = absl::StrSplit(key, absl::MaxSplits('/', 3));
        int64_t micros = 0;
        if (parts.size() != 4 || !absl::SimpleAtoi(parts[1], &micros)) {
          parse_error = absl::DataLossError(absl::StrCat("stored row ", key, " is unreadable"));
          return false;
        }
        const absl::Time at = absl::FromUnixMicros(micros);
        if (at > now || due.size() >= limit) return false;
        due.push_back({at, parts[2], parts[3], key});
        return true;
      }));
  RETURN_IF_ERROR(parse_error);
  return due;
}

absl::StatusOr<std::vector<DueDraft>> DueDrafts(eventstore::EventStore& store, size_t limit) {
  std::vector<DueDraft> due;
  RETURN_IF_ERROR(store.ScanProjection(
      kDraftDuePrefix, "", [&](const std::string& key, const std::string& value) {
        if (due.size() >= limit) return false;
        DueDraft& draft = due.emplace_back();
        draft.key = key;
        draft.value = value;
        // One unreadable row must not stop the others: it is returned, marked, to be parked.
        draft.readable = draft.notice.ParseFromString(value) && !draft.notice.breach_id().empty();
        return true;
      }));
  return due;
}

absl::StatusOr<std::optional<absl::Time>> NextDispatch(eventstore::EventStore& store) {
  ASSIGN_OR_RETURN(std::vector<DispatchEntry> first,
                   DueDispatches(store, absl::InfiniteFuture(), 1));
  if (first.empty()) return std::nullopt;
  return first.front().due;
}

}  // namespace breachd::notification
