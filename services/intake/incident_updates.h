// Updates of a provider-wide incident, the decisions (pure, no I/O): what an UpdateIncident must
// say, the incident and the update it records, and the amendments that carry the update to the
// cases. Rows of the intake's store:
//
//   incident-update/<incident_id>/<seq>            -> breach.v1.IncidentUpdate (with its progress)
//   incident-amended/<incident_id>/<seq>/<code>    -> "amended", "closed" (the school's case was
//                                                     closed: not amended) or "current" (it already
//                                                     read as the update says), written in the same
//                                                     atomic write as the amendment: the progress
//
// Each amendment's event id is derived from (incident, update seq, school), so a retried or
// resumed update cannot amend a case twice: the rows say which cases are done, and the store
// refuses the same event ids anyway.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/incident.pb.h"
#include "breach/v1/intake.pb.h"
#include "libs/auth/principal.h"
#include "libs/directory/school.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/field_cipher.h"

namespace breachd::intake {

std::string IncidentUpdateKey(const std::string& incident_id, int seq);
std::string IncidentUpdatePrefix(const std::string& incident_id);
std::string IncidentAmendedKey(const std::string& incident_id, int seq, const std::string& code);
std::string IncidentAmendedPrefix(const std::string& incident_id, int seq);
std::string CaseAmendmentEventId(const std::string& incident_id, int seq, const std::string& code);

// What the request must say before the incident is read: request id, incident id, a reason,
// something to update (facts, containment, closure or schools), fields that exist, sizes.
// INVALID_ARGUMENT naming the field.
absl::Status CheckUpdateRequest(const breach::v1::UpdateIncidentRequest& request);

// An update recorded: the incident as it becomes and the update itself.
struct RecordedUpdate {
  breach::v1::Incident incident;
  breach::v1::IncidentUpdate update;
};

// The update of `incident` by `request` (already checked): FAILED_PRECONDITION for a closed
// incident; the new facts checked as a case's report (INVALID_ARGUMENT naming report.<field>);
// the added schools looked up in `directory` (INVALID_ARGUMENT naming add_schools.codes);
// INVALID_ARGUMENT "update: ..." when it changes nothing.
absl::StatusOr<RecordedUpdate> PlanUpdate(const breach::v1::Incident& incident,
                                          const breach::v1::UpdateIncidentRequest& request,
                                          const std::map<std::string, directory::School>& directory,
                                          const auth::Principal& actor, absl::Time now);

// The schools whose case `update` amends and that are not in `done`, in fan-out order.
std::vector<std::string> PendingTargets(const breach::v1::Incident& incident,
                                        const breach::v1::IncidentUpdate& update,
                                        const std::set<std::string>& done);

// One case to amend: its school, breach id, report (nullopt: unreadable or missing) and the
// version of its stream.
struct CaseToAmend {
  std::string school;
  std::string breach_id;
  std::optional<breach::v1::Report> report;
  uint64_t version = 0;
};

// The writes of one batch of an update: an amendment (ReportAmended, the report row, the
// progress row) per open case that it changes, on the case's stream at its version; progress
// rows for the others; and the update's row with its counts (done when `last`). `rows` are to be
// written with the appends (or alone when there are none).
struct AmendmentBatch {
  std::vector<eventstore::AppendRequest> appends;
  std::vector<eventstore::ProjectionWrite> rows;
  breach::v1::IncidentUpdate update;  // as it stands after this batch
};
// `update` and the cases' reports read opened; with a `cipher` each amendment and report is
// sealed with its school's key and the update's row with the provider's (nullptr: as given).
absl::StatusOr<AmendmentBatch> PlanAmendmentBatch(const breach::v1::IncidentUpdate& update,
                                                  const std::vector<CaseToAmend>& cases, bool last,
                                                  const auth::Principal& actor, absl::Time now,
                                                  privacy::FieldCipher* cipher = nullptr);

// The case's report as the update would leave it (its own amendments kept, the update's fields
// and containment applied), and the amendment event (no changes: the report already says it).
breach::v1::ReportAmended CaseAmendment(const breach::v1::Report& report,
                                        const breach::v1::IncidentUpdate& update,
                                        const auth::Principal& actor, absl::Time now);

}  // namespace breachd::intake
