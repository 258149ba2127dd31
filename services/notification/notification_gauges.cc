#include "services/notification/notification_gauges.h"

#include <map>
#include <string>
#include <tuple>

#include "absl/strings/ascii.h"
#include "libs/common/status_macros.h"
#include "libs/service/projection_rows.h"
#include "services/notification/clock_planner.h"
#include "services/notification/notification_decisions.h"
#include "services/notification/notification_schema.h"

namespace breachd::notification {

absl::StatusOr<std::vector<GaugeSample>> NotificationGauges(eventstore::EventStore& store,
                                                            absl::Time now) {
  std::map<std::pair<std::string, std::string>, std::pair<int, int>> clocks;  // open, overdue
  ASSIGN_OR_RETURN(std::vector<breach::v1::DutyClock> rows,
                   service::ReadRows<breach::v1::DutyClock>(store, ClockPrefix("")));
  for (const auto& clock : rows) {
    if (!clock.armed()) continue;
    auto& [open, overdue] = clocks[{clock.tenant(), DutyShortName(clock.deadline().duty())}];
    ++open;
    if (ClockStatusAt(clock, now) == breach::v1::DEADLINE_STATUS_OVERDUE) ++overdue;
  }
  // Deliveries that need attention or are on their way; sent and published ones are history.
  std::map<std::pair<std::string, std::string>, int> deliveries;
  ASSIGN_OR_RETURN(std::vector<breach::v1::Delivery> sent,
                   service::ReadRows<breach::v1::Delivery>(store, "delivery/"));
  for (const auto& delivery : sent) {
    if (delivery.status() == breach::v1::DELIVERY_STATUS_SENT ||
        delivery.status() == breach::v1::DELIVERY_STATUS_PUBLISHED) {
      continue;
    }
    ++deliveries[{delivery.tenant(),
                  absl::AsciiStrToLower(breach::v1::DeliveryStatus_Name(delivery.status())
                                            .substr(sizeof("DELIVERY_STATUS_") - 1))}];
  }
  // The drafter's backlog (notices of incident cases not drafted yet), and what it set aside.
  auto count = [&store](const std::string& prefix) -> absl::StatusOr<int> {
    int rows = 0;
    RETURN_IF_ERROR(store.ScanProjection(prefix, "", [&](const std::string&, const std::string&) {
      ++rows;
      return true;
    }));
    return rows;
  };
  ASSIGN_OR_RETURN(const int to_draft, count(kDraftDuePrefix));
  ASSIGN_OR_RETURN(const int parked, count(kDraftParkedPrefix));
  std::vector<GaugeSample> samples;
  samples.push_back({"breachd_notices_to_draft",
                     "Processor's notices of incident cases waiting for the drafter",
                     {},
                     static_cast<double>(to_draft)});
  samples.push_back({"breachd_notices_parked",
                     "Processor's notices the drafter could not draft (see its log)",
                     {},
                     static_cast<double>(parked)});
  for (const auto& [key, counts] : clocks) {
    const auto& [tenant, duty] = key;
    samples.push_back({"breachd_deadlines_open", "Clocks running, by school and duty",
                       {{"tenant", tenant}, {"duty", duty}}, static_cast<double>(counts.first)});
    samples.push_back({"breachd_deadlines_overdue", "Clocks past due and not met",
                       {{"tenant", tenant}, {"duty", duty}}, static_cast<double>(counts.second)});
  }
  for (const auto& [key, count] : deliveries) {
    samples.push_back({"breachd_deliveries",
                       "Messages not yet sent: queued, sending, retrying, failed, outcome unknown",
                       {{"tenant", key.first}, {"status", key.second}},
                       static_cast<double>(count)});
  }
  return samples;
}

}  // namespace breachd::notification
