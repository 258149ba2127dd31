#include "services/intake/intake_schema.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

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
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, store.GetProjection(ReportKey(breach_id)));
  if (!bytes.has_value()) return std::nullopt;
  breach::v1::Report report;
  if (!report.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("stored report of ", breach_id, " is unreadable"));
  }
  if (report.status() == breach::v1::BREACH_STATUS_UNSPECIFIED) {
    // Filed before the lifecycle existed: never triaged nor amended.
    *report.mutable_current() = report.report();
    report.set_status(breach::v1::BREACH_STATUS_REPORTED);
    report.set_revision(1);
  }
  return report;
}

absl::StatusOr<std::vector<breach::v1::ContainmentAction>> ListActions(
    eventstore::EventStore& store, const std::string& breach_id) {
  std::vector<breach::v1::ContainmentAction> actions;
  absl::Status row_status;
  RETURN_IF_ERROR(store.ScanProjection(
      ActionPrefix(breach_id), "", [&](const std::string& key, const std::string& value) {
        breach::v1::ContainmentAction action;
        if (!action.ParseFromString(value)) {
          row_status = absl::DataLossError(absl::StrCat("stored action ", key, " is unreadable"));
          return false;
        }
        actions.push_back(std::move(action));
        return true;
      }));
  RETURN_IF_ERROR(row_status);
  return actions;
}

}  // namespace breachd::intake
