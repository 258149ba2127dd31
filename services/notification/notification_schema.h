// The notification service's store schema: every projection row, and how its key is built.
//
//   case/<breach_id>                          -> breach.v1.NotificationCase (what the bus told it)
//   clock/<breach_id>/<duty:02>               -> breach.v1.DutyClock
//   draft/<breach_id>/<duty:02>/<version:10>  -> breach.v1.Draft (zero-padded: versions sort)
//   delivery/<breach_id>/<delivery_id>        -> breach.v1.Delivery
//   dispatch/<due unix micros:20>/<breach_id>/<delivery_id> -> "" (deliveries waiting for an
//                                                attempt: queued or retrying, by due time)
//   receipt/<breach_id>/<received micros:20>/<kind:02> -> breach.v1.Receipt
//   school/<tenant>                           -> breach.v1.SchoolProfile
//   reacted/<event_id>                        -> "" (a consumed event whose reaction, e.g. arming
//                                                a clock, was appended: a redelivery does nothing)
//   idempotency/<tenant>/<request_id>         -> breach.v1.IdempotencyRecord
//   timer/...                                 -> durable timers (libs/timers): clock warnings and
//                                                due times, under ids "clock/<breach>/<duty>/..."
// Its events are on the breach's stream (clocks, drafts, deliveries, receipts), on
// "school-<tenant>" (profiles) and on the callers' audit streams (refusals).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/notification.pb.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/field_cipher.h"
#include "services/notification/clock_planner.h"

namespace breachd::notification {

std::string CaseKey(const std::string& breach_id);
std::string ClockKey(const std::string& breach_id, breach::v1::DutyKind duty);
std::string ClockPrefix(const std::string& breach_id);  // "" for every breach
std::string DraftKey(const std::string& breach_id, breach::v1::DutyKind duty, uint32_t version);
std::string DraftPrefix(const std::string& breach_id, breach::v1::DutyKind duty);
std::string DeliveryKey(const std::string& breach_id, const std::string& delivery_id);
std::string DeliveryPrefix(const std::string& breach_id);
std::string DispatchKey(absl::Time due, const std::string& breach_id,
                        const std::string& delivery_id);
inline constexpr char kDispatchPrefix[] = "dispatch/";
std::string ReceiptKey(const breach::v1::Receipt& receipt);
std::string ReceiptPrefix(const std::string& breach_id);
std::string SchoolKey(const std::string& tenant);
std::string ReactedKey(const std::string& event_id);
std::string RequestKey(const std::string& tenant, const std::string& request_id);
std::string SchoolStreamId(const std::string& tenant);
// A processor's notice waiting for the drafter (incident_drafter.h), a NoticeDue: one row per
// cause, `seq` the case's amendments when it came (0: the opening), so that a breach's rows are
// drafted in the order of their causes.
inline constexpr char kDraftDuePrefix[] = "draft-due/";
std::string DraftDueKey(const std::string& breach_id, int seq);
// Where the drafter sets aside a row it cannot draft for good (the row as it was; the error is
// in its log), so that the rows after it are drafted: draft-parked/<breach_id>/<seq>.
inline constexpr char kDraftParkedPrefix[] = "draft-parked/";
std::string DraftParkedKey(const std::string& due_key);
std::string DraftDueKeyOfParked(const std::string& parked_key);

absl::StatusOr<std::optional<breach::v1::NotificationCase>> FindCase(
    eventstore::EventStore& store, const std::string& breach_id);
absl::StatusOr<ClockMap> ReadClocks(eventstore::EventStore& store, const std::string& breach_id);
// Latest draft of a duty, or version `version` (0: latest).
absl::StatusOr<std::optional<breach::v1::Draft>> FindDraft(eventstore::EventStore& store,
                                                           const std::string& breach_id,
                                                           breach::v1::DutyKind duty,
                                                           uint32_t version);
absl::StatusOr<std::vector<breach::v1::Delivery>> ReadDeliveries(eventstore::EventStore& store,
                                                                 const std::string& breach_id);
// `row` with its personal fields opened, for an answer, a draft that quotes it or a message
// being sent (intake and assessment seal the case's report and assessment; this service its
// drafts, recipients, answers and notes). A copy: the stored row stays sealed. nullptr: as is.
template <typename Row>
Row Opened(Row row, privacy::FieldCipher* cipher) {
  if (cipher != nullptr) cipher->OpenPersonalData(row);
  return row;
}
// The school's profile; its people (head, DPO) opened with `cipher`, or left sealed (nullptr)
// for a profile that is only merged and stored again.
absl::StatusOr<std::optional<breach::v1::SchoolProfile>> FindSchool(
    eventstore::EventStore& store, const std::string& tenant,
    privacy::FieldCipher* cipher = nullptr);

// A dispatch row: due time, breach and delivery id.
struct DispatchEntry {
  absl::Time due;
  std::string breach_id;
  std::string delivery_id;
  std::string key;
};
// Deliveries waiting for an attempt due at or before `now`, earliest first, at most `limit`.
absl::StatusOr<std::vector<DispatchEntry>> DueDispatches(eventstore::EventStore& store,
                                                         absl::Time now, size_t limit);
// A notice to draft and its row (erased with the draft's append).
struct DueDraft {
  std::string key;
  std::string value;  // the row as stored
  breach::v1::NoticeDue notice;
  bool readable = true;  // false: the row did not parse (the drafter parks it)
};
// The first `limit` notices to draft, in key order.
absl::StatusOr<std::vector<DueDraft>> DueDrafts(eventstore::EventStore& store, size_t limit);
// The earliest waiting delivery's due time, if any.
absl::StatusOr<std::optional<absl::Time>> NextDispatch(eventstore::EventStore& store);

}  // namespace breachd::notification
