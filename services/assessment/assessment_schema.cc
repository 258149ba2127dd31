#include "services/assessment/assessment_schema.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/service/projection_rows.h"

namespace breachd::assessment {

std::string CaseKey(const std::string& breach_id) { return absl::StrCat("case/", breach_id); }

std::string VersionPrefix(const std::string& breach_id) {
  return absl::StrCat("version/", breach_id, "/");
}

std::string VersionKey(const std::string& breach_id, uint32_t version) {
  return absl::StrCat(VersionPrefix(breach_id), absl::StrFormat("%010u", version));
}

std::string RequestKey(const std::string& tenant, const std::string& request_id) {
  return absl::StrCat("idempotency/", tenant, "/", request_id);
}

absl::StatusOr<std::optional<breach::v1::AssessmentCase>> FindCase(eventstore::EventStore& store,
                                                                   const std::string& breach_id) {
  return service::ReadRow<breach::v1::AssessmentCase>(store, CaseKey(breach_id));
}

absl::StatusOr<std::optional<breach::v1::AssessmentVersion>> FindVersion(
    eventstore::EventStore& store, const std::string& breach_id, uint32_t version) {
  return service::ReadRow<breach::v1::AssessmentVersion>(store, VersionKey(breach_id, version));
}

absl::StatusOr<std::vector<breach::v1::AssessmentVersion>> ListVersions(
    eventstore::EventStore& store, const std::string& breach_id) {
  return service::ReadRows<breach::v1::AssessmentVersion>(store, VersionPrefix(breach_id));
}

}  // namespace breachd::assessment
