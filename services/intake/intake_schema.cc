#include "services/intake/intake_schema.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/service/projection_rows.h"

namespace breachd::intake {

std::string ReportKey(const std::string& breach_id) { return absl::StrCat("report/", breach_id); }

std::string ActionKey(const std::string& breach_id, const std::string& action_id) {
  return absl::StrCat(ActionPrefix(breach_id), action_id);
}

std::string ActionPrefix(const std::string& breach_id) {
  return absl::StrCat("action/", breach_id, "/");
}

std::string RequestKey(const std::string& tenant, const std::string& request_id) {
  return absl::StrCat("idempotency/", tenant, "/", request_id);
}

absl::StatusOr<std::optional<breach::v1::Report>> FindReport(eventstore::EventStore& store,
                                                             const std::string& breach_id) {
  ASSIGN_OR_RETURN(std::optional<breach::v1::Report> stored,
                   service::ReadRow<breach::v1::Report>(store, ReportKey(breach_id)));
  if (!stored.has_value()) return std::nullopt;
  breach::v1::Report& report = *stored;
  if (report.status() == breach::v1::BREACH_STATUS_UNSPECIFIED) {
    // Filed before the lifecycle existed: never triaged nor amended.
    *report.mutable_current() = report.report();
    report.set_status(breach::v1::BREACH_STATUS_REPORTED);
    report.set_revision(1);
  }
  return stored;
}

absl::StatusOr<std::vector<breach::v1::ContainmentAction>> ListActions(
    eventstore::EventStore& store, const std::string& breach_id) {
  return service::ReadRows<breach::v1::ContainmentAction>(store, ActionPrefix(breach_id));
}

}  // namespace breachd::intake
