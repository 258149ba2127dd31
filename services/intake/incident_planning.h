// Provider-wide incidents, the decisions (pure, no I/O; time, ids and the directory are
// arguments): what a CreateIncident must say, which schools it selects, and the fan-out's
// writes. Rows of the intake's store:
//
//   incident/<incident_id>               -> breach.v1.Incident (facts, schools, cases_created)
//   incident-case/<incident_id>/<code>   -> the breach id of that school's case, written in the
//                                           same atomic write as the case: the fan-out's progress
//
// Each case's breach id and event id are derived from (incident id, school code)
// (DerivedUlid), so a retried or resumed fan-out cannot open a second case for a school: the
// rows say which schools are done, and the store would refuse the same event ids anyway.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/incident.pb.h"
#include "libs/auth/principal.h"
#include "libs/directory/school.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/field_cipher.h"

namespace breachd::intake {

inline constexpr size_t kFanOutBatchSize = 500;

std::string IncidentKey(const std::string& incident_id);
inline constexpr char kIncidentPrefix[] = "incident/";
std::string IncidentCaseKey(const std::string& incident_id, const std::string& code);
std::string IncidentCasePrefix(const std::string& incident_id);
std::string IncidentStreamId(const std::string& incident_id);  // "incident-<id>"

// The case of `code` in `incident_id`: its breach id, and the id of the event that opens it.
// With several intake instances the case must fall in a partition of the instance that opens
// it: `attempt` 1, 2, ... derive further candidates, as stable as the first.
std::string CaseBreachId(const std::string& incident_id, const std::string& code,
                         int attempt = 0);
std::string CaseEventId(const std::string& incident_id, const std::string& code);

// The incident's report checked as a case would carry it (a school as tenant, the processor as
// reporter): limits and fields, INVALID_ARGUMENT naming report.<field>.
absl::Status CheckIncidentReport(breach::v1::BreachReport report, absl::Time now);

// What the request must say, before the directory is read: request id, title, the provider's
// awareness, the report (checked like ReportBreach's, under report.), one selection.
// INVALID_ARGUMENT naming the field.
absl::Status CheckIncidentRequest(const breach::v1::CreateIncidentRequest& request,
                                  absl::Time now);

// The affected schools, in directory (code) order: the listed codes (each must be in
// `directory`: INVALID_ARGUMENT "schools.codes: unknown school(s) A, B"), or every school using
// the service (INVALID_ARGUMENT "schools.service: no school ..." when none does).
absl::StatusOr<std::vector<std::string>> SelectSchools(
    const breach::v1::SchoolSelection& selection,
    const std::map<std::string, directory::School>& directory);

// The incident as recorded.
breach::v1::Incident NewIncident(const breach::v1::CreateIncidentRequest& request,
                                 const std::string& incident_id, std::vector<std::string> schools,
                                 const auth::Principal& actor, absl::Time now);

// The Allegato A of one school's case: the incident's facts, the school as tenant, the
// processor as reporter.
breach::v1::BreachReport CaseReport(const breach::v1::Incident& incident, const std::string& code);

// The fan-out's writes for the schools of `incident` not in `done`, in batches of at most
// `batch_size` streams (one EventStore::AppendAcrossStreams each): per school its
// BreachReported (incident id, provider's awareness, derived ids) on its own new stream, its
// report row and its progress row; the first append of each batch also rewrites the incident
// row with the cases created once the batch is stored. `incident` reads opened; with a `cipher`
// each case's report and event are sealed with its school's key, and the incident row with the
// provider's (nullptr: written as given).
// `place` gives a school's case its breach id (empty: CaseBreachId(incident, code)). At most
// `max_batches` batches: the fan-out plans one at a time, so that the cases of 10,000 schools
// (sealed reports, about 8 KB each) are never all in memory at once.
using CasePlacement =
    std::function<std::string(const std::string& incident_id, const std::string& code)>;
absl::StatusOr<std::vector<std::vector<eventstore::AppendRequest>>> PlanFanOut(
    const breach::v1::Incident& incident, const std::set<std::string>& done,
    const auth::Principal& actor, absl::Time now, size_t batch_size = kFanOutBatchSize,
    privacy::FieldCipher* cipher = nullptr, const CasePlacement& place = nullptr,
    size_t max_batches = SIZE_MAX);

// Seals `message` with `tenant`'s key when there is a cipher (the incident code's one edge).
absl::Status SealFor(privacy::FieldCipher* cipher, google::protobuf::Message& message,
                     const std::string& tenant);

}  // namespace breachd::intake
