// Updates of a provider-wide incident, the pure decisions: what an UpdateIncident must say (the
// field named), the incident and update it records (facts, containment, closure, schools added),
// the amendments of one batch of cases (open ones amended from their own report, closed ones
// left, ids derived from (incident, update, school)); against a real store, that a batch stored
// once cannot be stored twice and a resume plans only the cases not reached; and how a case's
// progress folds the other services' events in any order, replays included.
#include "services/intake/incident_updates.h"

#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/ids.h"
#include "libs/common/proto_time.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/directory/generator.h"
#include "services/intake/breach_changes.h"
#include "services/intake/incident_planning.h"
#include "services/intake/incident_progress.h"
#include "services/intake/intake_schema.h"
#include "services/intake/report_filing.h"

namespace breachd::intake {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const auth::Principal kOperator{"user:ops-admin", "provider", {"provider-operator"}};
const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);

std::map<std::string, directory::School> Directory(int count) {
  std::map<std::string, directory::School> schools;
  for (auto& school : directory::GenerateDirectory(count, 9)) {
    schools.emplace(school.code, std::move(school));
  }
  return schools;
}

// An incident over the first `affected` schools of `directory`.
breach::v1::Incident IncidentOver(const std::map<std::string, directory::School>& directory,
                                  int affected) {
  breach::v1::CreateIncidentRequest request;
  request.set_request_id("incident-1");
  request.set_title("Registro elettronico: voti visibili ad altre scuole");
  *request.mutable_provider_aware_at() = ProtoFromTime(kNow - absl::Hours(2));
  breach::v1::BreachReport& report = *request.mutable_report();
  *report.mutable_discovered_at() = ProtoFromTime(kNow - absl::Hours(2));
  report.set_place("Piattaforma del fornitore");
  report.mutable_reporter()->set_name("Ufficio protezione dati del fornitore");
  report.mutable_reporter()->set_email("privacy@fornitore.example");
  report.mutable_reporter()->set_organization("Fornitore S.p.A.");
  report.add_databases("Registro elettronico");
  report.set_description("Un errore di configurazione ha reso visibili i voti.");
  report.add_data_subject_categories(breach::v1::DATA_SUBJECT_CATEGORY_PUPILS);
  report.set_approx_data_subjects(300);
  report.set_actions_taken("Configurazione ripristinata.");
  report.set_department_head("Responsabile del servizio");
  std::vector<std::string> codes;
  for (const auto& [code, school] : directory) {
    if (static_cast<int>(codes.size()) < affected) codes.push_back(code);
  }
  return NewIncident(request, NewUlid(kNow - absl::Hours(1)), codes, kOperator,
                     kNow - absl::Hours(1));
}

breach::v1::UpdateIncidentRequest NewFacts() {
  breach::v1::UpdateIncidentRequest request;
  request.set_request_id("update-1");
  request.set_reason("Esposti anche i recapiti dei genitori");
  request.mutable_update_mask()->add_paths("approx_data_subjects");
  request.mutable_update_mask()->add_paths("description");
  request.mutable_report()->set_approx_data_subjects(900);
  request.mutable_report()->set_description("Visibili voti e recapiti dei genitori.");
  request.set_containment("Credenziali ruotate.");
  return request;
}

// The case of `code` as the fan-out opened it.
breach::v1::Report CaseOf(const breach::v1::Incident& incident, const std::string& code) {
  breach::v1::ReportBreachRequest filing;
  filing.set_request_id("x");
  *filing.mutable_report() = CaseReport(incident, code);
  return FileReport(filing, kOperator, kNow - absl::Hours(1),
                    CaseBreachId(incident.incident_id(), code));
}

TEST(CheckUpdateRequestTest, NamesTheFieldOfBadInput) {
  auto request = NewFacts();
  request.set_incident_id(NewUlid(kNow));
  EXPECT_THAT(CheckUpdateRequest(request), IsOk());

  auto bad = request;
  bad.set_incident_id("nope");
  EXPECT_THAT(CheckUpdateRequest(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("incident_id")));
  bad = request;
  bad.clear_reason();
  EXPECT_THAT(CheckUpdateRequest(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason is required")));
  bad = request;
  bad.clear_update_mask();
  bad.clear_report();
  bad.clear_containment();
  EXPECT_THAT(CheckUpdateRequest(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("update: give new facts")));
  bad = request;
  bad.mutable_update_mask()->add_paths("tenant");
  EXPECT_THAT(CheckUpdateRequest(bad), StatusIs(absl::StatusCode::kInvalidArgument,
                                                HasSubstr("update_mask: tenant cannot")));
  bad = request;
  bad.mutable_update_mask()->add_paths("colour");
  EXPECT_THAT(CheckUpdateRequest(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("update_mask: colour")));
  bad = request;
  bad.mutable_update_mask()->add_paths("reporter_role");
  EXPECT_THAT(CheckUpdateRequest(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("update_mask: reporter_role")));
  bad = request;
  bad.mutable_add_schools()->add_codes("MIIS01200V");
  bad.mutable_add_schools()->set_service("registro-elettronico");
  EXPECT_THAT(CheckUpdateRequest(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("add_schools")));
  bad = request;
  bad.set_request_id("");
  EXPECT_THAT(CheckUpdateRequest(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
}

TEST(PlanUpdateTest, NewFactsContainmentAndAddedSchools) {
  const auto directory = Directory(12);
  const breach::v1::Incident incident = IncidentOver(directory, 10);
  auto request = NewFacts();
  request.set_incident_id(incident.incident_id());
  auto codes = directory.rbegin();
  request.mutable_add_schools()->add_codes(codes->first);             // new
  request.mutable_add_schools()->add_codes(std::next(codes)->first);  // new
  request.mutable_add_schools()->add_codes(incident.schools(0));      // already affected
  ASSERT_OK_AND_ASSIGN(RecordedUpdate recorded,
                       PlanUpdate(incident, request, directory, kOperator, kNow));
  const breach::v1::IncidentUpdate& update = recorded.update;
  EXPECT_EQ(update.seq(), 1);
  EXPECT_EQ(update.targets(), 10);
  EXPECT_EQ(update.added_size(), 2);
  std::vector<std::string> fields;
  for (const auto& fact : update.facts()) fields.push_back(fact.field());
  EXPECT_THAT(fields, ElementsAre("approx_data_subjects", "description", "actions_taken"));
  EXPECT_EQ(recorded.incident.report().approx_data_subjects(), 900);
  EXPECT_EQ(recorded.incident.report().actions_taken(),
            "Configurazione ripristinata.\nCredenziali ruotate.");
  EXPECT_EQ(recorded.incident.schools_size(), 12);
  EXPECT_EQ(recorded.incident.updates(), 1);
  EXPECT_FALSE(recorded.incident.closed());
}

TEST(PlanUpdateTest, RefusesBadInputNamingTheField) {
  const auto directory = Directory(5);
  breach::v1::Incident incident = IncidentOver(directory, 5);
  auto request = NewFacts();
  request.set_incident_id(incident.incident_id());
  request.mutable_add_schools()->add_codes("XXIC99999Z");
  EXPECT_THAT(PlanUpdate(incident, request, directory, kOperator, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("add_schools.codes: 1 unknown school(s), not in the directory: "
                                 "XXIC99999Z")));
  request = NewFacts();
  request.mutable_report()->set_approx_data_subjects(0);
  request.mutable_update_mask()->add_paths("databases");  // cleared: none left
  EXPECT_THAT(PlanUpdate(incident, request, directory, kOperator, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("report.")));
  // Facts as they already read, and schools already affected: nothing to tell.
  request.Clear();
  request.set_reason("again");
  request.mutable_update_mask()->add_paths("approx_data_subjects");
  request.mutable_report()->set_approx_data_subjects(300);
  request.mutable_add_schools()->add_codes(incident.schools(1));
  EXPECT_THAT(PlanUpdate(incident, request, directory, kOperator, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("changes nothing")));
  // A closed incident takes no more updates.
  incident.set_closed(true);
  EXPECT_THAT(PlanUpdate(incident, NewFacts(), directory, kOperator, kNow),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is closed")));
}

TEST(PlanAmendmentBatchTest, OpenCasesAmendedFromTheirOwnReportClosedOnesLeft) {
  const auto directory = Directory(4);
  const breach::v1::Incident incident = IncidentOver(directory, 4);
  auto request = NewFacts();
  ASSERT_OK_AND_ASSIGN(RecordedUpdate recorded,
                       PlanUpdate(incident, request, directory, kOperator, kNow));
  std::vector<CaseToAmend> cases;
  for (int i = 0; i < 4; ++i) {
    const std::string code = incident.schools(i);
    cases.push_back({code, CaseBreachId(incident.incident_id(), code), CaseOf(incident, code), 1});
  }
  // School 1 corrected its own subjects count; school 2 closed its case; school 3's case was
  // opened from the facts as updated.
  cases[1].report->mutable_current()->set_approx_data_subjects(450);
  cases[1].report->mutable_current()->set_place("Plesso centrale");
  cases[1].version = 3;
  cases[2].report->set_status(breach::v1::BREACH_STATUS_CLOSED);
  *cases[3].report->mutable_current() = CaseReport(recorded.incident, incident.schools(3));

  ASSERT_OK_AND_ASSIGN(const AmendmentBatch batch,
                       PlanAmendmentBatch(recorded.update, cases, /*last=*/true, kOperator, kNow));
  ASSERT_EQ(batch.appends.size(), 2u);
  EXPECT_EQ(batch.update.cases_amended(), 2);
  EXPECT_EQ(batch.update.cases_closed(), 1);
  EXPECT_EQ(batch.update.cases_unchanged(), 1);
  EXPECT_TRUE(batch.update.done());

  const eventstore::AppendRequest& second = batch.appends[1];
  EXPECT_EQ(second.stream_id, cases[1].breach_id);
  EXPECT_EQ(second.expected_version, 3u);
  EXPECT_EQ(second.events[0].event_id(),
            CaseAmendmentEventId(incident.incident_id(), 1, incident.schools(1)));
  EXPECT_EQ(second.events[0].tenant(), incident.schools(1));
  breach::v1::ReportAmended amended;
  ASSERT_TRUE(second.events[0].payload().UnpackTo(&amended));
  EXPECT_EQ(amended.amendment().incident_id(), incident.incident_id());
  EXPECT_EQ(amended.amendment().incident_update(), 1);
  EXPECT_EQ(amended.amendment().reason(), request.reason());
  ASSERT_GE(amended.amendment().changes_size(), 1);
  EXPECT_EQ(amended.amendment().changes(0).field(), "approx_data_subjects");
  EXPECT_EQ(amended.amendment().changes(0).old_value(), "{\"approxDataSubjects\":\"450\"}");
  // The report row: amended, the school's own place kept.
  breach::v1::Report row;
  ASSERT_TRUE(row.ParseFromString(second.projection[0].value));
  EXPECT_EQ(row.current().approx_data_subjects(), 900);
  EXPECT_EQ(row.current().place(), "Plesso centrale");
  EXPECT_EQ(row.amendments_size(), 1);
  // Progress rows for every case, and the update's row.
  std::set<std::string> progress;
  for (const auto& append : batch.appends) progress.insert(append.projection[1].key);
  for (const auto& write : batch.rows) progress.insert(write.key);
  EXPECT_EQ(progress.size(), 5u);
  EXPECT_EQ(batch.rows.back().key, IncidentUpdateKey(incident.incident_id(), 1));

  // An update that closes the incident reaches even a case that already reads as it says.
  request.Clear();
  request.set_reason("Incidente chiuso dal fornitore");
  request.set_close(true);
  ASSERT_OK_AND_ASSIGN(RecordedUpdate closing,
                       PlanUpdate(recorded.incident, request, directory, kOperator, kNow));
  EXPECT_TRUE(closing.incident.closed());
  ASSERT_OK_AND_ASSIGN(const AmendmentBatch closed,
                       PlanAmendmentBatch(closing.update, {cases[3]}, true, kOperator, kNow));
  ASSERT_EQ(closed.appends.size(), 1u);
  ASSERT_TRUE(closed.appends[0].events[0].payload().UnpackTo(&amended));
  EXPECT_TRUE(amended.amendment().incident_closed());
  EXPECT_EQ(amended.amendment().changes_size(), 0);
}

TEST(PlanAmendmentBatchTest, AStoredBatchCannotBeStoredTwiceAndAResumeSkipsIt) {
  breachd::testing::ScratchDir dir("incident-update");
  ASSERT_OK_AND_ASSIGN(auto store, eventstore::EventStore::Open(dir.path() + "/intake"));
  const auto directory = Directory(25);
  const breach::v1::Incident incident = IncidentOver(directory, 25);
  ASSERT_OK_AND_ASSIGN(auto fan_out, PlanFanOut(incident, {}, kOperator, kNow));
  for (auto& batch : fan_out) {
    ASSERT_THAT(store->AppendAcrossStreams(std::move(batch)).status(), IsOk());
  }
  ASSERT_OK_AND_ASSIGN(RecordedUpdate recorded,
                       PlanUpdate(incident, NewFacts(), directory, kOperator, kNow));
  auto load = [&](const std::vector<std::string>& codes) {
    std::vector<CaseToAmend> cases;
    for (const std::string& code : codes) {
      CaseToAmend& c = cases.emplace_back();
      c.school = code;
      c.breach_id = CaseBreachId(incident.incident_id(), code);
      c.report = FindReport(*store, c.breach_id).value();
      c.version = store->StreamVersion(c.breach_id).value();
    }
    return cases;
  };
  std::vector<std::string> pending = PendingTargets(incident, recorded.update, {});
  ASSERT_EQ(pending.size(), 25u);
  const std::vector<std::string> first(pending.begin(), pending.begin() + 10);
  ASSERT_OK_AND_ASSIGN(AmendmentBatch batch,
                       PlanAmendmentBatch(recorded.update, load(first), false, kOperator, kNow));
  auto appends = batch.appends;
  appends.front().projection.insert(appends.front().projection.end(), batch.rows.begin(),
                                    batch.rows.end());
  ASSERT_THAT(store->AppendAcrossStreams(appends).status(), IsOk());
  // The same batch again (a retry that lost its progress) is refused whole.
  EXPECT_THAT(store->AppendAcrossStreams(appends).status(),
              StatusIs(absl::StatusCode::kAlreadyExists));
  // A resume reads the progress rows and plans the other 15 only.
  std::set<std::string> done;
  const std::string prefix = IncidentAmendedPrefix(incident.incident_id(), 1);
  ASSERT_THAT(store->ScanProjection(prefix, "",
                                    [&](const std::string& key, const std::string&) {
                                      done.insert(key.substr(prefix.size()));
                                      return true;
                                    }),
              IsOk());
  EXPECT_EQ(done.size(), 10u);
  pending = PendingTargets(incident, recorded.update, done);
  ASSERT_EQ(pending.size(), 15u);
  ASSERT_OK_AND_ASSIGN(AmendmentBatch rest,
                       PlanAmendmentBatch(batch.update, load(pending), true, kOperator, kNow));
  EXPECT_EQ(rest.update.cases_amended(), 25);
  EXPECT_TRUE(rest.update.done());
  ASSERT_THAT(store->AppendAcrossStreams(rest.appends).status(), IsOk());
  for (const std::string& code : incident.schools()) {
    ASSERT_OK_AND_ASSIGN(auto events,
                         store->ReadStream(CaseBreachId(incident.incident_id(), code)));
    EXPECT_EQ(events.size(), 2u) << code;  // reported, amended once
  }
}

breach::v1::EventEnvelope Event(const google::protobuf::Message& payload, uint64_t version,
                                const std::string& source = "notification") {
  breach::v1::EventEnvelope event;
  event.set_event_id(NewUlid(kNow));
  event.set_source(source);
  event.set_stream_id("01JCASE0000000000000000000");
  event.set_stream_version(version);
  event.mutable_payload()->PackFrom(payload);
  return event;
}

TEST(FoldProgressTest, FlagsTurnOnOnceAndClocksFollowTheNewestEvent) {
  breach::v1::IncidentCaseProgress progress;
  EXPECT_THAT(StagesOf(progress, kNow), ElementsAre(breach::v1::INCIDENT_STAGE_CASE_CREATED));

  breach::v1::ClockArmed armed;
  armed.mutable_deadline()->set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  *armed.mutable_deadline()->mutable_due_at() = ProtoFromTime(kNow + absl::Hours(40));
  const auto armed_event = Event(armed, 1);
  EXPECT_TRUE(FoldProgress(armed_event, progress));
  EXPECT_FALSE(FoldProgress(armed_event, progress));  // a replay changes nothing

  breach::v1::DispatchQueued queued;
  queued.set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  breach::v1::DutySubmitted submitted;
  submitted.set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  breach::v1::ReceiptRecorded ack;
  ack.mutable_receipt()->set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  ack.mutable_receipt()->set_kind(breach::v1::RECEIPT_KIND_CONTROLLER_ACKNOWLEDGED);
  breach::v1::AssessmentSubmitted assessed;
  breach::v1::ReceiptRecorded protocol;
  protocol.mutable_receipt()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  protocol.mutable_receipt()->set_kind(breach::v1::RECEIPT_KIND_AUTHORITY_PROTOCOL);
  // The submission (version 3) arrives before the queueing (2) and the acknowledgement.
  EXPECT_TRUE(FoldProgress(Event(submitted, 3), progress));
  EXPECT_FALSE(FoldProgress(Event(queued, 2), progress));  // sent: the submission said so
  EXPECT_TRUE(FoldProgress(Event(ack, 4), progress));
  EXPECT_TRUE(FoldProgress(Event(assessed, 1, "assessment"), progress));
  EXPECT_TRUE(FoldProgress(Event(protocol, 9), progress));
  EXPECT_THAT(StagesOf(progress, kNow + absl::Hours(50)),
              ElementsAre(breach::v1::INCIDENT_STAGE_CASE_CREATED,
                          breach::v1::INCIDENT_STAGE_NOTICE_SENT,
                          breach::v1::INCIDENT_STAGE_NOTICE_DELIVERED,
                          breach::v1::INCIDENT_STAGE_ACKNOWLEDGED,
                          breach::v1::INCIDENT_STAGE_ASSESSED,
                          breach::v1::INCIDENT_STAGE_GARANTE_NOTIFIED));  // met: not overdue
  // The arming (1) replayed after the submission (3) does not re-arm the clock.
  EXPECT_FALSE(FoldProgress(armed_event, progress));

  // An armed clock past its due time is overdue; a later disarming ends that.
  breach::v1::IncidentCaseProgress other;
  breach::v1::ClockArmed authority;
  authority.mutable_deadline()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  *authority.mutable_deadline()->mutable_due_at() = ProtoFromTime(kNow + absl::Hours(72));
  EXPECT_TRUE(FoldProgress(Event(authority, 5), other));
  EXPECT_EQ(StagesOf(other, kNow).size(), 1u);
  EXPECT_EQ(StagesOf(other, kNow + absl::Hours(72)).back(), breach::v1::INCIDENT_STAGE_OVERDUE);
  breach::v1::ClockDisarmed disarmed;
  disarmed.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  EXPECT_FALSE(FoldProgress(Event(disarmed, 4), other));  // older than the arming: ignored
  EXPECT_TRUE(FoldProgress(Event(disarmed, 6), other));
  EXPECT_EQ(StagesOf(other, kNow + absl::Hours(80)).size(), 1u);
}

}  // namespace
}  // namespace breachd::intake
