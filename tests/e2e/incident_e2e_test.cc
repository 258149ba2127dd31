// Provider-wide incidents end to end, one breachd with every service on the embedded bus:
//  - 200 schools through real gRPC: bad input refused naming the field with nothing created, the
//    fan-out (one case per school), every controller-notice clock armed, every register entry
//    visible, a retry answering the first incident;
//  - through breachctl: two schools acknowledge the provider's notice (their own 72 hours start)
//    and their assessments then differ;
//  - SIGKILL in the middle of a 2,000-school fan-out: after the restart every school has exactly
//    one case.
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "breach/v1/directory.grpc.pb.h"
#include "breach/v1/incident.grpc.pb.h"
#include "breach/v1/notification.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "libs/directory/generator.h"
#include "libs/directory/school_csv.h"
#include "nlohmann/json.hpp"
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
  constexpr int kSchools = 2000;
  // 4 batches of 500, 300 ms apart: time to kill it in the middle.
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
  ASSERT_TRUE(WaitUntil([&] {
    status = Status(incident.incident_id());
    return status.fan_out_complete();
  }));
  EXPECT_EQ(status.cases_created(), kSchools);
  EXPECT_TRUE(status.pending().empty());
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
  ASSERT_TRUE(WaitUntil([&] { return RegisterEntries() == cases; }, absl::Seconds(60)));
  ASSERT_TRUE(WaitUntil([&] { return ControllerClocks() == cases; }, absl::Seconds(60)));
  // The restarted breachd said it resumed.
  EXPECT_THAT(breachd_->Stderr(), HasSubstr("resumed_after"));
}

}  // namespace
}  // namespace breachd
