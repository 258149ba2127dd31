#include "services/assessment/assessment_consumer.h"

#include "libs/common/status_macros.h"
#include "services/assessment/assessment_decisions.h"
#include "services/assessment/assessment_schema.h"
#include "services/assessment/assessment_service.h"

namespace breachd::assessment {

absl::StatusOr<std::vector<eventstore::ProjectionWrite>> AssessmentRowsFor(
    eventstore::EventStore& store, const breach::v1::EventEnvelope& event) {
  // Its own events changed the case when they were appended; audit streams are about no breach.
  if (event.source() == kServiceName || event.stream_id().rfind("audit-", 0) == 0) {
    return std::vector<eventstore::ProjectionWrite>{};
  }
  ASSIGN_OR_RETURN(std::optional<breach::v1::AssessmentCase> assessment_case,
                   FindCase(store, event.stream_id()));
  if (!ApplyToCase(event, assessment_case)) return std::vector<eventstore::ProjectionWrite>{};
  return std::vector<eventstore::ProjectionWrite>{
      {CaseKey(event.stream_id()), assessment_case->SerializeAsString()}};
}

}  // namespace breachd::assessment
