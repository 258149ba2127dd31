#include "services/intake/intake_consumer.h"

#include "libs/common/status_macros.h"
#include "libs/lifecycle/breach_lifecycle.h"
#include "services/intake/intake_schema.h"
#include "services/intake/intake_service.h"

namespace breachd::intake {

absl::StatusOr<bool> IntakeConsumer::ApplyConsumed(const breach::v1::EventEnvelope& event) {
  std::vector<eventstore::ProjectionWrite> writes;
  lifecycle::Command command;
  breach::v1::TriageVerdict verdict;
  // Its own events changed the report when they were appended.
  if (event.source() != kServiceName && lifecycle::CommandOf(event, &command, &verdict)) {
    absl::MutexLock lock(&breach_locks_.For(ReportKey(event.stream_id())));
    ASSIGN_OR_RETURN(std::optional<breach::v1::Report> report,
                     FindReport(store_, event.stream_id()));
    if (report.has_value()) {
      lifecycle::BreachState state;
      state.status = report->status();
      state.verdict = report->verdict();
      const lifecycle::BreachState next = lifecycle::Apply(state, event);
      if (next.status != state.status) {
        report->set_status(next.status);
        writes.push_back({ReportKey(event.stream_id()), report->SerializeAsString()});
      }
    }
    // Under the lock: no change of the report may slip between the read and this write.
    return store_.ApplyConsumed(event.event_id(), writes, /*sync=*/false);
  }
  return store_.ApplyConsumed(event.event_id(), writes, /*sync=*/false);
}

}  // namespace breachd::intake
