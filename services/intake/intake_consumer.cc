#include "services/intake/intake_consumer.h"

#include "libs/common/status_macros.h"
#include "libs/lifecycle/breach_lifecycle.h"
#include "services/intake/intake_schema.h"
#include "services/intake/intake_service.h"

namespace breachd::intake {

absl::StatusOr<std::vector<eventstore::ProjectionWrite>> IntakeRowsFor(
    eventstore::EventStore& store, const breach::v1::EventEnvelope& event) {
  lifecycle::Command command;
  breach::v1::TriageVerdict verdict;
  // Its own events changed the report when they were appended.
  if (event.source() == kServiceName || !lifecycle::CommandOf(event, &command, &verdict)) {
    return std::vector<eventstore::ProjectionWrite>{};
  }
  ASSIGN_OR_RETURN(std::optional<breach::v1::Report> report, FindReport(store, event.stream_id()));
  if (!report.has_value()) return std::vector<eventstore::ProjectionWrite>{};
  lifecycle::BreachState state;
  state.status = report->status();
  state.verdict = report->verdict();
  state.ever_assessed = report->ever_assessed();
  const lifecycle::BreachState next = lifecycle::Apply(state, event);
  if (next.status == state.status && next.ever_assessed == state.ever_assessed) {
    return std::vector<eventstore::ProjectionWrite>{};
  }
  report->set_status(next.status);
  report->set_ever_assessed(next.ever_assessed);
  return std::vector<eventstore::ProjectionWrite>{
      {ReportKey(event.stream_id()), report->SerializeAsString()}};
}

}  // namespace breachd::intake
