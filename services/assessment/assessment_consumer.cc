#include "services/assessment/assessment_consumer.h"

#include "libs/common/status_macros.h"
#include "services/assessment/assessment_decisions.h"
#include "services/assessment/assessment_schema.h"
#include "services/assessment/assessment_service.h"

namespace breachd::assessment {

absl::StatusOr<bool> AssessmentConsumer::ApplyConsumed(const breach::v1::EventEnvelope& event) {
  std::vector<eventstore::ProjectionWrite> writes;
  // Its own events changed the case when they were appended; audit streams are about no breach.
  const bool about_a_breach =
      event.source() != kServiceName && event.stream_id().rfind("audit-", 0) != 0;
  absl::MutexLock lock(&breach_locks_.For(CaseKey(event.stream_id())));
  if (about_a_breach) {
    ASSIGN_OR_RETURN(std::optional<breach::v1::AssessmentCase> assessment_case,
                     FindCase(store_, event.stream_id()));
    if (ApplyToCase(event, assessment_case)) {
      writes.push_back({CaseKey(event.stream_id()), assessment_case->SerializeAsString()});
    }
  }
  return store_.ApplyConsumed(event.event_id(), writes, /*sync=*/false);
}

}  // namespace breachd::assessment
