#include "services/intake/intake_schema.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace breachd::intake {

std::string ReportKey(const std::string& breach_id) { return absl::StrCat("report/", breach_id); }

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
  return report;
}

}  // namespace breachd::intake
