// Provider-wide incidents end to end, one breachd with every service on the embedded bus:
//  - 200 schools through real gRPC: bad input refused naming the field with nothing created, the
//    fan-out (one case per school), every controller-notice clock armed, every register entry
//    visible, a retry answering the first incident;
//  - through breachctl: two schools acknowledge the provider's notice (their own 72 hours start)
//    and their assessments then differ;
//  - SIGKILL in the middle of a 10,000-school fan-out (the issue's size): after the restart every
//    school has exactly one case, one register entry and one armed clock; then SIGKILL in the
//    middle of the update of those 10,000 cases: each has the amendment exactly once, and its
//    notice to the school drafted twice (the opening's version 1, the update's version 2).
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "breach/v1/directory.grpc.pb.h"
#include "breach/v1/incident.grpc.pb.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/notification.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "libs/common/ids.h"
#include "libs/directory/generator.h"
#include "libs/directory/school_csv.h"
#include "libs/service/personal_data.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/notification_fixture.h"
#include "tests/testing/breachd_process.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/process.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;

const std::string kExamples = std::string(BREACHD_SOURCE_DIR) + "/docs/examples/";

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime(absl::RFC3339_sec, time, absl::UTCTimeZone());
}

// The directory for a test: `count` generated schools, plus the fixture's two schools (whose
// tokens the identity file has).
std::vector<directory::School> TestDirectory(int count) {
  std::vector<directory::School> schools = directory::GenerateDirectory(count, 21);
  for (const char* code : {kVespucci, kGalilei}) {
    directory::School school = schools.front();
    school.code = code;
    school.name = absl::StrCat("Istituto ", code);
    school.email = absl::StrCat(code, "@istruzione.it");
    school.pec = absl::StrCat(code, "@pec.istruzione.it");
    school.services = {"registro-elettronico"};
    schools.push_back(school);
  }
  return schools;
}

// The fixture's incident, with no schools chosen yet.
breach::v1::CreateIncidentRequest IncidentRequest(const std::string& request_id) {
  breach::v1::CreateIncidentRequest request = RegisterIncidentRequest(request_id);
  request.mutable_schools()->Clear();
  return request;
}

class IncidentEndToEndTest : public ::testing::Test {
 protected:
  void StartBreachd(std::vector<std::string> flags = {}) {
    if (!scratch_) scratch_ = TestFolderWithIdentity();
    flags.insert(flags.begin(), "--kafka=embedded");
    breachd_ = std::make_unique<BreachdProcess>(scratch_->path(), flags);
    ASSERT_TRUE(breachd_->Start()) << breachd_->Stderr();
    channel_ = grpc::CreateChannel(breachd_->endpoint(), grpc::InsecureChannelCredentials());
  }

  void Import(const std::vector<directory::School>& schools) {
    breach::v1::ImportSchoolsRequest request;
    request.set_csv(directory::WriteSchoolCsv(schools));
    breach::v1::ImportSchoolsResponse response;
    auto stub = breach::v1::DirectoryService::NewStub(channel_);
    const grpc::Status status =
        stub->ImportSchools(CallAs(kOperatorToken, absl::Seconds(60)).get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.skipped(), 0);
  }

  grpc::Status Create(const breach::v1::CreateIncidentRequest& request,
                      breach::v1::Incident* incident, const std::string& token = kOperatorToken) {
    return breach::v1::IncidentService::NewStub(channel_)->CreateIncident(
        CallAs(token).get(), request, incident);
  }

  breach::v1::IncidentStatus Status(const std::string& incident_id) {
    breach::v1::GetIncidentRequest request;
    request.set_incident_id(incident_id);
    request.set_with_schools(true);
    breach::v1::IncidentStatus status;
    const grpc::Status called = breach::v1::IncidentService::NewStub(channel_)->GetIncident(
        CallAs(kOperatorToken).get(), request, &status);
    EXPECT_TRUE(called.ok()) << called.error_message();
    return status;
  }

  // The summary (GetIncident summary_only): the fan-out's count from the incident's rows.
  grpc::Status Summary(const std::string& incident_id, breach::v1::IncidentStatus* summary,
                       bool with_schools = false) {
    breach::v1::GetIncidentRequest request;
    request.set_incident_id(incident_id);
    request.set_summary_only(true);
    request.set_with_schools(with_schools);
    return breach::v1::IncidentService::NewStub(channel_)->GetIncident(
        CallAs(kOperatorToken).get(), request, summary);
  }

  grpc::Status Update(const breach::v1::UpdateIncidentRequest& request,
                      breach::v1::IncidentUpdate* update,
                      const std::string& token = kOperatorToken) {
    return breach::v1::IncidentService::NewStub(channel_)->UpdateIncident(
        CallAs(token).get(), request, update);
  }

  // The update `seq` of the incident once every case it targets is reached and every case exists.
  breach::v1::IncidentUpdate Carried(const std::string& incident_id, int seq) {
    breach::v1::IncidentUpdate carried;
    EXPECT_TRUE(WaitUntil(
        [&] {
          const breach::v1::IncidentStatus status = Status(incident_id);
          for (const auto& update : status.updates()) {
            if (update.seq() == seq) carried = update;
          }
          return carried.done() && status.fan_out_complete();
        },
        absl::Seconds(120), absl::Milliseconds(500)))
        << carried.DebugString();
    return carried;
  }

  // The intake's report of a case, as the provider's operator reads it.
  breach::v1::Report Report(const std::string& breach_id) {
    breach::v1::GetReportRequest request;
    request.set_breach_id(breach_id);
    breach::v1::Report report;
    const grpc::Status called = breach::v1::IntakeService::NewStub(channel_)->GetReport(
        CallAs(kOperatorToken).get(), request, &report);
    EXPECT_TRUE(called.ok()) << called.error_message();
    return report;
  }

  // A draft (0: the latest) of the processor's notice to the school of a case, if there is one.
  std::optional<breach::v1::Draft> Notice(const std::string& breach_id, uint32_t version = 0) {
    breach::v1::GetDraftRequest request;
    request.set_breach_id(breach_id);
    request.set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
    request.set_draft_version(version);
    breach::v1::Draft draft;
    if (!breach::v1::NotificationService::NewStub(channel_)
             ->GetDraft(CallAs(kOperatorToken).get(), request, &draft)
             .ok()) {
      return std::nullopt;
    }
    return draft;
  }

  // Every case of the incident: school -> breach id.
  std::map<std::string, std::string> Cases(const std::string& incident_id) {
    std::map<std::string, std::string> cases;
    const breach::v1::IncidentStatus status = Status(incident_id);
    for (const auto& group : status.states()) {
      for (const auto& c : group.cases()) cases[c.school()] = c.breach_id();
    }
    return cases;
  }

  // Controller-notice clocks armed by the notification service, by breach id.
  std::set<std::string> ControllerClocks() {
    breach::v1::ListDeadlinesRequest request;
    breach::v1::ListDeadlinesResponse response;
    const grpc::Status called = breach::v1::NotificationService::NewStub(channel_)->ListDeadlines(
        CallAs(kOperatorToken, absl::Seconds(30)).get(), request, &response);
    std::set<std::string> ids;
    if (!called.ok()) return ids;
    for (const auto& clock : response.clocks()) {
      if (clock.deadline().duty() == breach::v1::DUTY_KIND_CONTROLLER_NOTICE && clock.armed()) {
        ids.insert(clock.breach_id());
      }
    }
    return ids;
  }

  // Register entries of every school, by breach id.
  std::set<std::string> RegisterEntries() {
    std::set<std::string> ids;
    breach::v1::ListBreachesRequest request;
    request.set_page_size(500);
    auto stub = breach::v1::RegisterService::NewStub(channel_);
    do {
      breach::v1::ListBreachesResponse page;
      if (!stub->ListBreaches(CallAs(kOperatorToken, absl::Seconds(30)).get(), request, &page)
               .ok()) {
        return ids;
      }
      for (const auto& entry : page.entries()) ids.insert(entry.breach_id());
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return ids;
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::unique_ptr<BreachdProcess> breachd_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(IncidentEndToEndTest, TwoHundredSchoolsThroughGrpc) {
  StartBreachd();
  const std::vector<directory::School> schools = TestDirectory(198);
  Import(schools);
  breach::v1::Incident incident;

  // Bad input: the field named, nothing created.
  auto request = IncidentRequest("bad-1");
  request.mutable_schools()->add_codes(schools[0].code);
  request.mutable_schools()->add_codes("XXIC99999Z");
  grpc::Status status = Create(request, &incident);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("schools.codes: 1 unknown school(s)"));
  EXPECT_THAT(status.error_message(), HasSubstr("XXIC99999Z"));
  request = IncidentRequest("bad-2");
  request.mutable_schools()->set_service("servizio-inesistente");
  status = Create(request, &incident);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("schools.service"));
  request = IncidentRequest("bad-3");
  request.mutable_schools()->set_service("registro-elettronico");
  request.clear_provider_aware_at();
  status = Create(request, &incident);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("provider_aware_at"));
  request = IncidentRequest("bad-4");
  request.mutable_schools()->set_service("registro-elettronico");
  status = Create(request, &incident, kVespucciHeadToken);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  breach::v1::ListIncidentsResponse listed;
  ASSERT_TRUE(breach::v1::IncidentService::NewStub(channel_)
                  ->ListIncidents(CallAs(kOperatorToken).get(), {}, &listed)
                  .ok());
  EXPECT_EQ(listed.incidents_size(), 0);
  EXPECT_TRUE(RegisterEntries().empty());

  // Every school of the directory uses the register: 200 cases.
  request = IncidentRequest("incident-200");
  request.mutable_schools()->set_service("registro-elettronico");
  const absl::Time started = absl::Now();
  status = Create(request, &incident);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(incident.schools_size(), 200);
  breach::v1::IncidentStatus progress;
  ASSERT_TRUE(WaitUntil([&] {
    progress = Status(incident.incident_id());
    return progress.fan_out_complete();
  }));
  EXPECT_EQ(progress.cases_created(), 200);
  ASSERT_EQ(progress.states_size(), 1);
  EXPECT_EQ(progress.states(0).status(), breach::v1::BREACH_STATUS_REPORTED);
  std::set<std::string> cases;
  for (const auto& c : progress.states(0).cases()) cases.insert(c.breach_id());
  EXPECT_EQ(cases.size(), 200u);
  // The summary counts the same from the incident's row, without a case's state or stage.
  breach::v1::IncidentStatus summary;
  ASSERT_TRUE(Summary(incident.incident_id(), &summary).ok());
  EXPECT_EQ(summary.cases_created(), 200);
  EXPECT_EQ(summary.schools(), 200);
  EXPECT_TRUE(summary.fan_out_complete());
  EXPECT_TRUE(summary.states().empty());
  EXPECT_TRUE(summary.stages().empty());
  EXPECT_TRUE(summary.incident().schools().empty());
  EXPECT_EQ(summary.incident().incident_id(), incident.incident_id());
  const grpc::Status both = Summary(incident.incident_id(), &summary, /*with_schools=*/true);
  EXPECT_EQ(both.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(both.error_message(), HasSubstr("summary_only"));

  // Every case's clock and register entry.
  ASSERT_TRUE(WaitUntil([&] { return ControllerClocks() == cases; }));
  ASSERT_TRUE(WaitUntil([&] { return RegisterEntries() == cases; }));
  std::cout << "200 schools: every case, clock and register entry in "
            << absl::FormatDuration(absl::Now() - started) << "\n";

  // A retry is the first incident; nothing new.
  breach::v1::Incident again;
  ASSERT_TRUE(Create(request, &again).ok());
  EXPECT_EQ(again.incident_id(), incident.incident_id());
  EXPECT_EQ(Status(incident.incident_id()).cases_created(), 200);
  EXPECT_EQ(RegisterEntries().size(), 200u);
}

// The provider's update of an incident over 200 schools: new facts and containment reach each of
// the 197 open cases as one amendment, not the case its school closed; two schools added get
// their cases and clocks from the facts as updated; the same request again, a reused request id
// and bad input change nothing.
TEST_F(IncidentEndToEndTest, AnUpdateAmendsEveryOpenCaseOnceAndAddedSchoolsGetTheirCases) {
  StartBreachd();
  const std::vector<directory::School> schools = TestDirectory(200);  // 202 with the fixture's
  Import(schools);
  const std::string later_1 = schools[0].code, later_2 = schools[1].code;
  auto request = IncidentRequest("incident-update");
  for (const auto& school : schools) {
    if (school.code != later_1 && school.code != later_2) {
      request.mutable_schools()->add_codes(school.code);
    }
  }
  breach::v1::Incident incident;
  ASSERT_TRUE(Create(request, &incident).ok());
  ASSERT_EQ(incident.schools_size(), 200);
  ASSERT_TRUE(WaitUntil([&] { return Status(incident.incident_id()).fan_out_complete(); }));
  std::map<std::string, std::string> cases = Cases(incident.incident_id());
  ASSERT_EQ(cases.size(), 200u);

  // Vespucci judges its case not a breach and closes it.
  auto intake = breach::v1::IntakeService::NewStub(channel_);
  breach::v1::TriageRequest triage;
  triage.set_breach_id(cases[kVespucci]);
  triage.set_verdict(breach::v1::TRIAGE_VERDICT_NOT_A_BREACH);
  triage.set_reason("Nessun alunno della scuola nei registri esposti");
  breach::v1::Report report;
  ASSERT_TRUE(intake->Triage(CallAs(kVespucciHeadToken).get(), triage, &report).ok());
  breach::v1::CloseBreachRequest close;
  close.set_breach_id(cases[kVespucci]);
  close.set_reason("Non una violazione per la scuola");
  const grpc::Status closed = intake->CloseBreach(CallAs(kVespucciHeadToken).get(), close, &report);
  ASSERT_TRUE(closed.ok()) << closed.error_message();

  breach::v1::UpdateIncidentRequest update;
  update.set_request_id("update-1");
  update.set_incident_id(incident.incident_id());
  update.set_reason("Analisi conclusa: esposti anche i recapiti dei genitori");
  update.mutable_update_mask()->add_paths("approx_data_subjects");
  update.mutable_update_mask()->add_paths("description");
  update.mutable_report()->set_approx_data_subjects(900);
  update.mutable_report()->set_description("Visibili voti, assenze e recapiti dei genitori.");
  update.set_containment("Credenziali dei docenti ruotate.");
  update.mutable_add_schools()->add_codes(later_1);
  update.mutable_add_schools()->add_codes(later_2);

  // Bad input: the field named, nothing recorded.
  breach::v1::IncidentUpdate recorded;
  auto bad = update;
  bad.set_incident_id(NewUlid(absl::Now()));
  grpc::Status status = Update(bad, &recorded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("incident_id: no incident"));
  bad = update;
  bad.mutable_add_schools()->add_codes("XXIC99999Z");
  status = Update(bad, &recorded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("add_schools.codes: 1 unknown school(s)"));
  EXPECT_THAT(status.error_message(), HasSubstr("XXIC99999Z"));
  bad.Clear();
  bad.set_request_id("empty");
  bad.set_incident_id(incident.incident_id());
  bad.set_reason("niente");
  status = Update(bad, &recorded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("update: give new facts"));
  status = Update(update, &recorded, kVespucciHeadToken);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Status(incident.incident_id()).updates().empty());

  const absl::Time started = absl::Now();
  status = Update(update, &recorded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(recorded.seq(), 1);
  EXPECT_EQ(recorded.targets(), 200);
  EXPECT_EQ(recorded.added_size(), 2);
  const breach::v1::IncidentUpdate carried = Carried(incident.incident_id(), 1);
  std::cout << "update of 200 cases and 2 added schools carried in "
            << absl::FormatDuration(absl::Now() - started) << "\n";
  EXPECT_EQ(carried.cases_amended(), 199);
  EXPECT_EQ(carried.cases_closed(), 1);
  EXPECT_EQ(Status(incident.incident_id()).cases_created(), 202);
  breach::v1::IncidentStatus summary;  // the summary: the added schools' cases and the update
  ASSERT_TRUE(Summary(incident.incident_id(), &summary).ok());
  EXPECT_EQ(summary.cases_created(), 202);
  EXPECT_TRUE(summary.fan_out_complete());
  ASSERT_EQ(summary.updates_size(), 1);
  EXPECT_EQ(summary.updates(0).cases_amended(), 199);
  EXPECT_TRUE(summary.updates(0).done());

  // Each open case: one amendment, from the incident; the closed one: none.
  cases = Cases(incident.incident_id());
  ASSERT_EQ(cases.size(), 202u);
  for (const auto& [code, breach_id] : cases) {
    const breach::v1::Report read = Report(breach_id);
    if (code == kVespucci) {  // closed by its school: left as it was
      EXPECT_EQ(read.amendments_size(), 0);
      EXPECT_EQ(read.current().approx_data_subjects(), 300);
      EXPECT_EQ(read.status(), breach::v1::BREACH_STATUS_CLOSED);
      continue;
    }
    EXPECT_EQ(read.current().approx_data_subjects(), 900) << code;
    if (code == later_1 || code == later_2) {  // opened from the facts as updated
      EXPECT_EQ(read.amendments_size(), 0) << code;
      // The operator reads the provider's facts redacted like any school's (docs/security.md).
      EXPECT_EQ(read.current().actions_taken(), service::kRedacted) << code;
      continue;
    }
    ASSERT_EQ(read.amendments_size(), 1) << code;
    EXPECT_EQ(read.amendments(0).incident_id(), incident.incident_id());
    EXPECT_EQ(read.amendments(0).incident_update(), 1);
    // What changed is metadata; the new containment text is the school's personal data, redacted
    // for the provider's operator.
    std::set<std::string> changed;
    for (const auto& change : read.amendments(0).changes()) changed.insert(change.field());
    EXPECT_TRUE(changed.count("actions_taken")) << code;
    EXPECT_EQ(read.current().actions_taken(), service::kRedacted) << code;
  }
  // Each amended case's notice to its school drafted again, as version 2 (its text is the
  // school's personal data, redacted for the operator; notification_decisions_test checks that
  // the new facts are in it); the added schools' notices drafted once, from the updated facts.
  for (const std::string& code : {schools[5].code, schools[6].code, later_1}) {
    std::optional<breach::v1::Draft> notice;
    const uint32_t version = code == later_1 ? 1 : 2;
    ASSERT_TRUE(WaitUntil([&] {
      notice = Notice(cases[code]);
      return notice.has_value() && notice->draft_version() == version;
    })) << code << ": " << (notice ? notice->draft_version() : 0);
    if (version == 1) continue;
    const std::optional<breach::v1::Draft> first = Notice(cases[code], 1);
    ASSERT_TRUE(first.has_value()) << code;
    EXPECT_NE(notice->sha256(), first->sha256()) << code;
  }
  // The added schools' clocks and register entries.
  std::set<std::string> open_cases;
  for (const auto& [code, breach_id] : cases) {
    if (code != kVespucci) open_cases.insert(breach_id);
  }
  ASSERT_TRUE(WaitUntil([&] {
    const std::set<std::string> clocks = ControllerClocks();
    return clocks.count(cases[later_1]) == 1 && clocks.count(cases[later_2]) == 1;
  }));
  ASSERT_TRUE(WaitUntil([&] { return RegisterEntries().size() == 202u; }));

  // The same request again: the first update, nothing amended twice. The id reused for another
  // body: refused.
  breach::v1::IncidentUpdate again;
  ASSERT_TRUE(Update(update, &again).ok());
  EXPECT_EQ(again.seq(), 1);
  auto reused = update;
  reused.set_reason("altro");
  EXPECT_EQ(Update(reused, &again).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Status(incident.incident_id()).updates_size(), 1);
  EXPECT_EQ(Report(cases[schools[5].code]).amendments_size(), 1);

  // Closing the incident: one more amendment on each open case; then no more updates.
  breach::v1::UpdateIncidentRequest closing;
  closing.set_request_id("update-close");
  closing.set_incident_id(incident.incident_id());
  closing.set_reason("Incidente chiuso dal fornitore");
  closing.set_close(true);
  ASSERT_TRUE(Update(closing, &recorded).ok());
  EXPECT_EQ(Carried(incident.incident_id(), 2).cases_amended(), 201);
  EXPECT_TRUE(Report(cases[later_1]).amendments(0).incident_closed());
  closing.set_request_id("update-after-close");
  EXPECT_EQ(Update(closing, &recorded).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(IncidentEndToEndTest, TwoSchoolsAcknowledgeAndTheirAssessmentsDiffer) {
  StartBreachd();
  const std::vector<directory::School> schools = TestDirectory(10);
  const std::string csv = scratch_->path() + "/schools.csv";
  std::ofstream(csv) << directory::WriteSchoolCsv(schools);
  ASSERT_EQ(breachd_->Breachctl({"school", "import", csv}, kOperatorToken).exit_code, 0);
  const std::string affected = scratch_->path() + "/affected.txt";
  std::ofstream(affected) << "# the two schools\n" << kVespucci << "\n" << kGalilei << "\n";

  CommandResult created = breachd_->Breachctl(
      {"incident", "create", "-f", kExamples + "incident.json", "--schools", affected,
       "--request-id", "two-schools"},
      kOperatorToken);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_THAT(created.out, HasSubstr("cases created: 2/2"));  // not a terminal: plain lines
  const std::string incident_id =
      created.out.substr(created.out.find("incident ") + 9, 26);
  nlohmann::json status = breachd_->Ok({"incident", "status", incident_id}, kOperatorToken);
  std::map<std::string, std::string> breach_of;
  for (const auto& c : status["states"][0]["cases"]) breach_of[c["school"]] = c["breach_id"];
  ASSERT_EQ(breach_of.size(), 2u);

  // Each school acknowledges the provider's notice: its own 72 hours start there.
  struct School {
    std::string code, token, assessment;
    int classification;
  };
  const std::vector<School> both = {
      {kVespucci, kVespucciHeadToken, "assessment-provider-misconfigured-access.json", 3},
      {kGalilei, kGalileiDpoToken, "assessment-portal-password-hashes.json", 1}};
  for (const School& school : both) {
    const std::string& id = breach_of[school.code];
    // The notification service knows the case once the bus brought it.
    ASSERT_TRUE(WaitUntil([&] {
      return breachd_->Breachctl({"breach", "ack", id, "--at", Rfc3339(absl::Now())}, school.token)
                 .exit_code == 0;
    })) << breachd_->Breachctl({"breach", "ack", id}, school.token).err;
    nlohmann::json clocks;
    ASSERT_TRUE(WaitUntil([&] {
      clocks = breachd_->Ok({"deadline", "list"}, school.token);
      int duties = 0;
      for (const auto& clock : clocks["clocks"]) duties += clock["breach_id"] == id;
      return duties == 2;  // the provider's 48 hours and the school's own 72
    })) << clocks.dump();
  }

  // Each school judges and assesses its own case: the two differ.
  for (const School& school : both) {
    const std::string& id = breach_of[school.code];
    const std::string judge = school.code == kVespucci ? kVespucciHeadToken : kGalileiDpoToken;
    CommandResult triaged = breachd_->Breachctl(
        {"breach", "triage", id, "--verdict", "breach", "--aware-at",
         Rfc3339(absl::Now() - absl::Minutes(1)), "--evidence", "Comunicazione del fornitore",
         "--reason", "Violazione presso il fornitore"},
        judge);
    ASSERT_EQ(triaged.exit_code, 0) << triaged.err;
    nlohmann::json assessment = nlohmann::json::parse(ReadFile(kExamples + school.assessment));
    for (const char* field : {"breach_id", "tenant", "awareness_time"}) assessment.erase(field);
    const std::string dpo = school.code == kVespucci ? kVespucciDpoToken : kGalileiDpoToken;
    CommandResult submitted;
    ASSERT_TRUE(WaitUntil([&] {
      submitted = breachd_->Breachctl(
          {"assess", "submit", id, "-f", "-", "--request-id", "assess-" + id, "-o", "json"}, dpo,
          assessment.dump());
      return submitted.exit_code == 0;
    })) << submitted.err;
    EXPECT_EQ(nlohmann::json::parse(submitted.out)["result"]["classification"],
              school.classification);
    ASSERT_TRUE(WaitUntil([&] {
      nlohmann::json entry = breachd_->Ok({"breach", "get", id}, dpo);
      return entry.value("classification", 0) == school.classification;
    }));
  }
  nlohmann::json after = breachd_->Ok({"incident", "status", incident_id}, kOperatorToken);
  ASSERT_EQ(after["states"].size(), 1u);
  EXPECT_EQ(after["states"][0]["status"], "BREACH_STATUS_ASSESSED");
  EXPECT_EQ(after["states"][0]["count"], 2);
}

TEST_F(IncidentEndToEndTest, SigkillDuringTheFanOutResumesWithOneCasePerSchool) {
  constexpr int kSchools = 10000;
  // 20 batches of 500, 300 ms apart: time to kill it in the middle.
  StartBreachd({"--fanout_batch_pause_ms=300"});
  Import(TestDirectory(kSchools - 2));
  auto request = IncidentRequest("crash-1");
  request.mutable_schools()->set_service("registro-elettronico");
  breach::v1::Incident incident;
  ASSERT_TRUE(Create(request, &incident).ok());
  ASSERT_EQ(incident.schools_size(), kSchools);
  int at_kill = 0;
  ASSERT_TRUE(WaitUntil([&] {
    at_kill = Status(incident.incident_id()).cases_created();
    return at_kill > 0;
  }));
  breachd_->Kill();
  EXPECT_LT(at_kill, kSchools);  // killed in the middle
  // Wait for the process to go before starting again on its data.
  absl::SleepFor(absl::Milliseconds(500));
  StartBreachd();
  breach::v1::IncidentStatus status;
  // Polled slowly: each full status and listing reads 10,000 cases, CPU the fan-out needs.
  ASSERT_TRUE(WaitUntil(
      [&] {
        status = Status(incident.incident_id());
        return status.fan_out_complete();
      },
      absl::Seconds(120), absl::Milliseconds(250)));
  EXPECT_EQ(status.cases_created(), kSchools);
  EXPECT_TRUE(status.pending().empty());
  breach::v1::IncidentStatus summary;  // the incident row's count survived the kill and resume
  ASSERT_TRUE(Summary(incident.incident_id(), &summary).ok());
  EXPECT_EQ(summary.cases_created(), kSchools);
  EXPECT_TRUE(summary.fan_out_complete());
  std::set<std::string> schools, cases;
  for (const auto& group : status.states()) {
    for (const auto& c : group.cases()) {
      schools.insert(c.school());
      cases.insert(c.breach_id());
    }
  }
  EXPECT_EQ(schools.size(), static_cast<size_t>(kSchools));
  EXPECT_EQ(cases.size(), static_cast<size_t>(kSchools));
  // One register entry per school, none twice; every clock armed.
  ASSERT_TRUE(WaitUntil([&] { return RegisterEntries() == cases; }, absl::Seconds(180),
                        absl::Milliseconds(500)));
  ASSERT_TRUE(WaitUntil([&] { return ControllerClocks() == cases; }, absl::Seconds(180),
                        absl::Milliseconds(500)));
  // The restarted breachd said it resumed.
  EXPECT_THAT(breachd_->Stderr(), HasSubstr("resumed_after"));

  // An update of the 10,000 cases, killed after its first batch of amendments: after the
  // restart every case has it exactly once.
  breachd_->Kill();
  absl::SleepFor(absl::Milliseconds(500));
  StartBreachd({"--fanout_batch_pause_ms=300"});
  breach::v1::UpdateIncidentRequest update;
  update.set_request_id("crash-update");
  update.set_incident_id(incident.incident_id());
  update.set_reason("Nuovi fatti");
  update.set_containment("Accessi revocati.");
  breach::v1::IncidentUpdate recorded;
  ASSERT_TRUE(Update(update, &recorded).ok());
  int amended_at_kill = 0;
  ASSERT_TRUE(WaitUntil([&] {
    const auto now = Status(incident.incident_id());
    if (now.updates_size() == 1) amended_at_kill = now.updates(0).cases_amended();
    return amended_at_kill > 0;
  }));
  breachd_->Kill();
  EXPECT_LT(amended_at_kill, kSchools);  // killed in the middle
  absl::SleepFor(absl::Milliseconds(500));
  StartBreachd();
  const breach::v1::IncidentUpdate carried = Carried(incident.incident_id(), 1);
  EXPECT_EQ(carried.cases_amended(), kSchools);
  for (const std::string& id : cases) {
    ASSERT_EQ(Report(id).amendments_size(), 1) << id;
  }
  EXPECT_THAT(breachd_->Stderr(), HasSubstr("incident update carried to its cases"));
  // Each school's notice drafted once for the opening and once for the update, across both
  // kills (the drafter resumes from its rows): version 2 is every case's latest, none has a 3.
  for (const std::string& id : cases) {
    std::optional<breach::v1::Draft> latest;
    ASSERT_TRUE(WaitUntil(
        [&] {
          latest = Notice(id);
          return latest.has_value() && latest->draft_version() >= 2;
        },
        absl::Seconds(120), absl::Milliseconds(250)))
        << id << ": " << (latest ? latest->draft_version() : 0);
    ASSERT_EQ(latest->draft_version(), 2u) << id;
  }
}

// Through breachctl, with a real SMTP server: the notification service drafted each school's
// notice as its case opened; the provider sends two of them; both schools acknowledge and
// assess, one notifies the Garante; `incident status` counts each stage and names the schools;
// `incident update` amends every case, and the same request id again changes nothing.
class IncidentStagesTest : public NotificationFixture {
 protected:
  // The example incident, its times an hour ago.
  std::string IncidentFile() {
    nlohmann::json incident = nlohmann::json::parse(ReadFile(kExamples + "incident.json"));
    incident["providerAwareAt"] = Rfc3339(absl::Now() - absl::Hours(1));
    incident["report"]["discoveredAt"] = Rfc3339(absl::Now() - absl::Minutes(70));
    incident["report"]["incidentAt"] = Rfc3339(absl::Now() - absl::Hours(2));
    const std::string file = dir_ + "/incident.json";
    WriteFile(file, incident.dump());
    return file;
  }

  // A draft's hash, once it exists.
  std::string Sha256Of(const std::string& id, const std::string& duty, const std::string& token) {
    std::string sha256;
    EXPECT_TRUE(WaitUntil([&] {
      const CommandResult shown = breachd_->Breachctl(
          {"notify", "show", id, "--duty", duty, "--draft-version", "1", "-o", "json"}, token);
      if (shown.exit_code != 0) return false;
      sha256 = nlohmann::json::parse(shown.out).value("sha256", "");
      return !sha256.empty();
    })) << id << " has no " << duty << " draft";
    return sha256;
  }

  // The stage counts of `incident status -o json`, by stage name.
  std::map<std::string, int> Stages(const std::string& incident_id) {
    std::map<std::string, int> counts;
    const nlohmann::json status = breachd_->Ok({"incident", "status", incident_id}, kOperatorToken);
    for (const auto& group : status["stages"]) counts[group["stage"]] = group.value("count", 0);
    return counts;
  }
};

TEST_F(IncidentStagesTest, StatusCountsEachStageAndUpdatesReachEveryCase) {
  StartWithTestGarante();
  const std::vector<directory::School> schools = TestDirectory(10);
  const std::string csv = dir_ + "/schools.csv";
  WriteFile(csv, directory::WriteSchoolCsv(schools));
  ASSERT_EQ(breachd_->Breachctl({"school", "import", csv}, kOperatorToken).exit_code, 0);
  const std::string affected = dir_ + "/affected.txt";
  WriteFile(affected, absl::StrCat(kVespucci, "\n", kGalilei, "\n", schools[0].code, "\n",
                                   schools[1].code, "\n"));
  CommandResult created = breachd_->Breachctl(
      {"incident", "create", "-f", IncidentFile(), "--schools", affected, "--request-id", "stages"},
      kOperatorToken);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string incident_id = created.out.substr(created.out.find("incident ") + 9, 26);
  nlohmann::json status = breachd_->Ok({"incident", "status", incident_id}, kOperatorToken);
  std::map<std::string, std::string> breach_of;
  for (const auto& c : status["states"][0]["cases"]) breach_of[c["school"]] = c["breach_id"];
  ASSERT_EQ(breach_of.size(), 4u);

  // Every case's notice to its school was drafted when the case opened; the provider approves
  // and sends two of them to the schools' PEC.
  for (const auto& [code, id] : breach_of) {
    const std::string sha256 = Sha256Of(id, "controller", kOperatorToken);
    if (code != kVespucci && code != kGalilei) continue;
    breachd_->Ok({"notify", "approve", id, "--duty", "controller", "--draft-version", "1",
                  "--sha256", sha256},
                 kOperatorToken);
    const CommandResult sent = breachd_->Breachctl(
        {"notify", "send", id, "--duty", "controller", "--request-id", "notice-" + code},
        kOperatorToken);
    ASSERT_EQ(sent.exit_code, 0) << sent.err;
  }

  // Both schools acknowledge, judge and assess; Vespucci notifies the Garante.
  const std::string vespucci = breach_of[kVespucci], galilei = breach_of[kGalilei];
  for (const auto& [id, token, dpo, assessment] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {vespucci, kVespucciHeadToken, kVespucciDpoToken,
            "assessment-provider-misconfigured-access.json"},
           {galilei, kGalileiDpoToken, kGalileiDpoToken,
            "assessment-portal-password-hashes.json"}}) {
    breachd_->Ok({"breach", "ack", id}, token);
    breachd_->Ok({"breach", "triage", id, "--verdict", "breach", "--aware-at",
                  Rfc3339(absl::Now() - absl::Minutes(1)), "--evidence",
                  "Comunicazione del fornitore", "--reason", "Violazione presso il fornitore"},
                 token);
    nlohmann::json form = nlohmann::json::parse(ReadFile(kExamples + assessment));
    for (const char* field : {"breach_id", "tenant", "awareness_time"}) form.erase(field);
    CommandResult submitted;
    ASSERT_TRUE(WaitUntil([&] {
      submitted = breachd_->Breachctl(
          {"assess", "submit", id, "-f", "-", "--request-id", "assess-" + id}, dpo, form.dump());
      return submitted.exit_code == 0;
    })) << submitted.err;
  }
  ASSERT_TRUE(WaitUntil([&] {  // once the notification service has the school's triage
    return breachd_->Breachctl({"notify", "draft", vespucci, "--duty", "authority"},
                               kVespucciDpoToken)
               .exit_code == 0;
  }));
  breachd_->Ok({"notify", "approve", vespucci, "--duty", "authority", "--draft-version", "1",
                "--sha256", Sha256Of(vespucci, "authority", kVespucciDpoToken)},
               kVespucciHeadToken);
  ASSERT_EQ(breachd_->Breachctl({"notify", "send", vespucci, "--duty", "authority"},
                                kVespucciDpoToken)
                .exit_code,
            0);

  const std::map<std::string, int> expected = {
      {"INCIDENT_STAGE_CASE_CREATED", 4},     {"INCIDENT_STAGE_NOTICE_SENT", 2},
      {"INCIDENT_STAGE_NOTICE_DELIVERED", 2}, {"INCIDENT_STAGE_ACKNOWLEDGED", 2},
      {"INCIDENT_STAGE_ASSESSED", 2},         {"INCIDENT_STAGE_GARANTE_NOTIFIED", 1}};
  std::map<std::string, int> stages;
  ASSERT_TRUE(WaitUntil([&] {
    stages = Stages(incident_id);
    for (const auto& [stage, count] : expected) {
      if (stages[stage] != count) return false;
    }
    return true;
  }, absl::Seconds(60))) << nlohmann::json(stages).dump();
  EXPECT_EQ(stages["INCIDENT_STAGE_OVERDUE"], 0);
  status = breachd_->Ok({"incident", "status", incident_id}, kOperatorToken);
  for (const auto& group : status["stages"]) {
    if (group["stage"] != "INCIDENT_STAGE_GARANTE_NOTIFIED") continue;
    ASSERT_EQ(group["cases"].size(), 1u);
    EXPECT_EQ(group["cases"][0]["school"], kVespucci);
  }
  const CommandResult table = breachd_->Breachctl({"incident", "status", incident_id},
                                                  kOperatorToken);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, ::testing::ContainsRegex("notified to the Garante +1/4"));
  EXPECT_THAT(table.out, ::testing::ContainsRegex("acknowledged +2/4"));

  // The provider's update through breachctl: every case reached (plain lines off a terminal).
  const CommandResult updated = breachd_->Breachctl(
      {"incident", "update", incident_id, "-f", kExamples + "incident-update.json",
       "--request-id", "update-1"},
      kOperatorToken);
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_THAT(updated.out, HasSubstr("update 1 of incident " + incident_id));
  EXPECT_THAT(updated.out, HasSubstr("cases reached: 4/4"));
  EXPECT_THAT(updated.out, ::testing::ContainsRegex("amended: +4 open case"));
  const nlohmann::json report = breachd_->Ok({"report", "get", galilei}, kGalileiDpoToken);
  ASSERT_EQ(report["amendments"].size(), 1u);
  EXPECT_EQ(report["current"]["approx_data_subjects"], "900");
  // The same request id again: the same update, nothing amended twice.
  const CommandResult again = breachd_->Breachctl(
      {"incident", "update", incident_id, "-f", kExamples + "incident-update.json",
       "--request-id", "update-1", "-o", "json"},
      kOperatorToken);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["seq"], 1);
  EXPECT_EQ(breachd_->Ok({"report", "get", galilei}, kGalileiDpoToken)["amendments"].size(), 1u);
  // Bad input: one error line naming the field.
  const CommandResult refused = breachd_->Breachctl(
      {"incident", "update", incident_id, "-f", "-", "--request-id", "update-2"}, kOperatorToken,
      R"({"reason": "nothing"})");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("INVALID_ARGUMENT: update: give new facts"));
}

}  // namespace
}  // namespace breachd
