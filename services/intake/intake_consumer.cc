#include "services/intake/intake_consumer.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/lifecycle/breach_lifecycle.h"
#include "services/intake/incident_progress.h"
#include "services/intake/intake_schema.h"
#include "services/intake/intake_service.h"

namespace breachd::intake {
namespace {

// The report row, when the event moves the breach's lifecycle status.
absl::StatusOr<std::vector<eventstore::ProjectionWrite>> LifecycleRows(
    eventstore::EventStore& store, const breach::v1::EventEnvelope& event) {
  lifecycle::Command command;
  breach::v1::TriageVerdict verdict;
  if (!lifecycle::CommandOf(event, &command, &verdict)) {
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

// The progress row of an incident's case, when the event moves it (none for other breaches:
// only the fan-out writes the row's first version).
absl::StatusOr<std::optional<eventstore::ProjectionWrite>> ProgressRow(
    eventstore::EventStore& store, const breach::v1::EventEnvelope& event) {
  breach::v1::IncidentCaseProgress probe;
  if (!FoldProgress(event, probe)) return std::nullopt;  // says nothing of a case's progress
  const std::string key = IncidentProgressKey(event.stream_id());
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, store.GetProjection(key));
  breach::v1::IncidentCaseProgress progress;
  if (!bytes.has_value()) return std::nullopt;
  if (!progress.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("row ", key, " is unreadable"));
  }
  if (!FoldProgress(event, progress)) return std::nullopt;
  return eventstore::ProjectionWrite{key, progress.SerializeAsString()};
}

}  // namespace

absl::StatusOr<std::vector<eventstore::ProjectionWrite>> IntakeRowsFor(
    eventstore::EventStore& store, const breach::v1::EventEnvelope& event) {
  // Its own events changed its rows when they were appended.
  if (event.source() == kServiceName) return std::vector<eventstore::ProjectionWrite>{};
  ASSIGN_OR_RETURN(std::vector<eventstore::ProjectionWrite> rows, LifecycleRows(store, event));
  ASSIGN_OR_RETURN(std::optional<eventstore::ProjectionWrite> progress, ProgressRow(store, event));
  if (progress.has_value()) rows.push_back(*std::move(progress));
  return rows;
}

}  // namespace breachd::intake
