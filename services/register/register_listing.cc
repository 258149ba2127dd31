#include "services/register/register_listing.h"

#include "absl/strings/str_cat.h"
#include "services/register/register_entry.h"
#include "services/register/register_schema.h"

namespace breachd::register_ {

absl::Status ValidateListRequest(const breach::v1::ListBreachesRequest& request) {
  if (request.page_size() < 0) return absl::InvalidArgumentError("page_size must not be negative");
  if (request.year() != 0 &&
      (request.year() < kFirstRegisterYear || request.year() > kLastRegisterYear)) {
    return absl::InvalidArgumentError(absl::StrCat("year must be 0 (any) or between ",
                                                   kFirstRegisterYear, " and ", kLastRegisterYear,
                                                   ", not ", request.year()));
  }
  if (!breach::v1::BreachStatus_IsValid(request.status())) {
    return absl::InvalidArgumentError(
        absl::StrCat("status ", request.status(), " is not a breach status"));
  }
  if (request.classification() < 0 || request.classification() > 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "classification must be 0 (any), 1, 2 or 3, not ", request.classification()));
  }
  if (!breach::v1::NotifiedFilter_IsValid(request.notified())) {
    return absl::InvalidArgumentError(
        absl::StrCat("notified ", request.notified(), " is not a notified filter"));
  }
  if (!breach::v1::RegisterOrder_IsValid(request.order_by())) {
    return absl::InvalidArgumentError(
        absl::StrCat("order_by ", request.order_by(), " is not a register order"));
  }
  return absl::OkStatus();
}

bool MatchesListing(const breach::v1::RegisterEntry& entry,
                    const breach::v1::ListBreachesRequest& request, absl::Time now) {
  if (request.status() != breach::v1::BREACH_STATUS_UNSPECIFIED &&
      entry.status() != request.status()) {
    return false;
  }
  if (request.year() != 0 && entry.year() != request.year()) return false;
  if (request.classification() != 0 && entry.classification() != request.classification()) {
    return false;
  }
  if (request.notified() == breach::v1::NOTIFIED_FILTER_NOTIFIED && !entry.authority().done()) {
    return false;
  }
  if (request.notified() == breach::v1::NOTIFIED_FILTER_NOT_NOTIFIED && entry.authority().done()) {
    return false;
  }
  if (request.overdue_only() && !IsOverdue(entry, now)) return false;
  return true;
}

std::string OrderKey(const breach::v1::RegisterEntry& entry, breach::v1::RegisterOrder order) {
  if (order == breach::v1::REGISTER_ORDER_DUE) {
    // Entries with a running clock first, by due time; the others after, by breach id.
    return entry.has_next_due_at()
               ? absl::StrCat("0", PaddedNanos(entry.next_due_at()), "/", entry.breach_id())
               : absl::StrCat("1", "/", entry.breach_id());
  }
  return absl::StrCat(PaddedNanos(entry.discovered_at()), "/", entry.breach_id());
}

}  // namespace breachd::register_
