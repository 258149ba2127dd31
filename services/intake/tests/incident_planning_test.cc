// Provider-wide incidents, the pure decisions: what a CreateIncident must say (the field named),
// which schools it selects, and the fan-out's batches with ids derived from (incident, school),
// resumed from what is done; and, against a real store, that a batch stored once cannot be
// stored again.
#include "services/intake/incident_planning.h"

#include "breach/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/ids.h"
#include "libs/common/proto_time.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/directory/generator.h"
#include "libs/service/fellow_forwarder.h"
#include "libs/privacy/testing/test_keyring.h"
#include "libs/privacy/key_wrapper.h"
#include "libs/privacy/keyring.h"
#include "services/intake/intake_schema.h"

namespace breachd::intake {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;

const auth::Principal kOperator{"user:ops-admin", "provider", {"provider-operator"}};
const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);

breach::v1::CreateIncidentRequest ValidRequest() {
  breach::v1::CreateIncidentRequest request;
  request.set_request_id("incident-1");
  request.set_title("Registro elettronico: voti visibili ad altre scuole");
  *request.mutable_provider_aware_at() = ProtoFromTime(kNow - absl::Hours(2));
  breach::v1::BreachReport& report = *request.mutable_report();
  *report.mutable_discovered_at() = ProtoFromTime(kNow - absl::Hours(2));
  report.set_place("Piattaforma del fornitore (data centre di Milano)");
  report.mutable_reporter()->set_name("Ufficio protezione dati del fornitore");
  report.mutable_reporter()->set_email("privacy@fornitore.example");
  report.mutable_reporter()->set_organization("Fornitore S.p.A.");
  report.add_databases("Registro elettronico");
  report.set_description("Un errore di configurazione ha reso visibili i voti.");
  report.add_data_subject_categories(breach::v1::DATA_SUBJECT_CATEGORY_PUPILS);
  report.set_approx_data_subjects(300);
  report.set_department_head("Responsabile del servizio");
  request.mutable_schools()->set_service("registro-elettronico");
  return request;
}

std::map<std::string, directory::School> Directory(int count) {
  std::map<std::string, directory::School> schools;
  for (auto& school : directory::GenerateDirectory(count, 9)) {
    schools.emplace(school.code, std::move(school));
  }
  return schools;
}

TEST(CheckIncidentRequestTest, AcceptsAValidRequest) {
  EXPECT_THAT(CheckIncidentRequest(ValidRequest(), kNow), IsOk());
}

TEST(CheckIncidentRequestTest, NamesTheFieldOfBadInput) {
  auto request = ValidRequest();
  request.clear_provider_aware_at();
  EXPECT_THAT(CheckIncidentRequest(request, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("provider_aware_at is required")));
  request = ValidRequest();
  *request.mutable_provider_aware_at() = ProtoFromTime(kNow + absl::Hours(1));
  EXPECT_THAT(CheckIncidentRequest(request, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("provider_aware_at")));
  request = ValidRequest();
  request.mutable_schools()->Clear();
  EXPECT_THAT(CheckIncidentRequest(request, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("schools")));
  request = ValidRequest();
  request.mutable_schools()->add_codes("MIIS01200V");
  EXPECT_THAT(CheckIncidentRequest(request, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not both")));
  request = ValidRequest();
  request.mutable_report()->clear_databases();
  EXPECT_THAT(CheckIncidentRequest(request, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("report.databases")));
  request = ValidRequest();
  request.mutable_report()->set_tenant("MIIS01200V");
  EXPECT_THAT(CheckIncidentRequest(request, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("report.tenant")));
  request = ValidRequest();
  request.clear_title();
  EXPECT_THAT(CheckIncidentRequest(request, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("title")));
}

TEST(SelectSchoolsTest, AListNamesEveryUnknownCodeAndCountsDuplicatesOnce) {
  const auto directory = Directory(30);
  breach::v1::SchoolSelection selection;
  const std::string known = directory.begin()->first;
  selection.add_codes(known);
  selection.add_codes(known);
  ASSERT_OK_AND_ASSIGN(auto selected, SelectSchools(selection, directory));
  EXPECT_EQ(selected, std::vector<std::string>{known});
  selection.add_codes("XXIC99999Z");
  selection.add_codes("YYIC99999Z");
  EXPECT_THAT(SelectSchools(selection, directory).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("schools.codes: 2 unknown school(s), not in the directory: "
                                 "XXIC99999Z, YYIC99999Z")));
}

TEST(SelectSchoolsTest, AServiceSelectsItsUsersAndMatchingNobodyIsAnError) {
  const auto directory = Directory(200);
  breach::v1::SchoolSelection selection;
  const std::string service = directory.begin()->second.services.front();
  selection.set_service(service);
  ASSERT_OK_AND_ASSIGN(auto selected, SelectSchools(selection, directory));
  size_t users = 0;
  for (const auto& [code, school] : directory) {
    users += std::count(school.services.begin(), school.services.end(), service);
  }
  EXPECT_EQ(selected.size(), users);
  EXPECT_GT(users, 0u);
  selection.set_service("nessuno");
  EXPECT_THAT(SelectSchools(selection, directory).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("schools.service")));
}

breach::v1::Incident IncidentOf(int schools) {
  std::vector<std::string> codes;
  for (const auto& [code, school] : Directory(schools)) codes.push_back(code);
  return NewIncident(ValidRequest(), NewUlid(kNow), codes, kOperator, kNow);
}

TEST(PlanFanOutTest, OneCasePerSchoolInBatchesWithDerivedIds) {
  const breach::v1::Incident incident = IncidentOf(1201);
  ASSERT_OK_AND_ASSIGN(const auto batches, PlanFanOut(incident, {}, kOperator, kNow));
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].size(), kFanOutBatchSize);
  EXPECT_EQ(batches[2].size(), 1201 - 2 * kFanOutBatchSize);
  const eventstore::AppendRequest& first = batches[0][0];
  const std::string code = incident.schools(0);
  EXPECT_EQ(first.stream_id, CaseBreachId(incident.incident_id(), code));
  EXPECT_TRUE(IsUlid(first.stream_id));
  EXPECT_EQ(first.events[0].event_id(), CaseEventId(incident.incident_id(), code));
  EXPECT_EQ(first.events[0].tenant(), code);
  breach::v1::BreachReported reported;
  ASSERT_TRUE(first.events[0].payload().UnpackTo(&reported));
  EXPECT_EQ(reported.incident_id(), incident.incident_id());
  EXPECT_EQ(reported.report().tenant(), code);
  EXPECT_EQ(reported.report().reporter_role(), breach::v1::REPORTER_ROLE_PROCESSOR);
  EXPECT_TRUE(reported.report().reporter().external());
  EXPECT_EQ(TimeFromProto(reported.processor_aware_at()), kNow - absl::Hours(2));
  // The incident row rides on each batch's first append, with the cases created after it.
  breach::v1::Incident progress;
  ASSERT_TRUE(progress.ParseFromString(batches[1][0].projection.back().value));
  EXPECT_EQ(progress.cases_created(), 2 * static_cast<int>(kFanOutBatchSize));
  // Planned again (a retry): the same ids.
  ASSERT_OK_AND_ASSIGN(const auto again,
                       PlanFanOut(incident, {}, kOperator, kNow + absl::Minutes(5)));
  EXPECT_EQ(again[2].back().stream_id, batches[2].back().stream_id);
  EXPECT_EQ(again[2].back().events[0].event_id(), batches[2].back().events[0].event_id());
}

TEST(PlanFanOutTest, WithSeveralIntakesEveryCaseFallsInAPartitionOfTheOpeningInstance) {
  const breach::v1::Incident incident = IncidentOf(120);
  bus::PartitionOwnership ownership;  // this instance: the home of partitions 1 and 4 of 6
  ownership.Assign({1, 4}, 6);
  ownership.MarkCaughtUp({1, 4});
  auto place = [&](const std::string& incident_id, const std::string& code) {
    return service::PlaceId(&ownership, [&](int attempt) {
             return CaseBreachId(incident_id, code, attempt);
           }).value();
  };
  ASSERT_OK_AND_ASSIGN(const auto batches,
                       PlanFanOut(incident, {}, kOperator, kNow, 50, nullptr, place));
  std::set<std::string> ids;
  int moved = 0;
  for (const auto& batch : batches) {
    for (const eventstore::AppendRequest& append : batch) {
      EXPECT_TRUE(ownership.Serves(append.stream_id)) << append.stream_id;
      EXPECT_TRUE(IsUlid(append.stream_id));
      ids.insert(append.stream_id);
      const std::string code = append.events[0].tenant();
      // The first candidate is kept when it already fits (a single instance's id).
      if (append.stream_id != CaseBreachId(incident.incident_id(), code)) ++moved;
      EXPECT_EQ(append.events[0].event_id(), CaseEventId(incident.incident_id(), code));
    }
  }
  EXPECT_EQ(ids.size(), 120u);
  EXPECT_GT(moved, 0);
  // Planned again (a resumed fan-out): the same ids, so no school gets a second case.
  ASSERT_OK_AND_ASSIGN(
      const auto again,
      PlanFanOut(incident, {}, kOperator, kNow + absl::Minutes(5), 50, nullptr, place));
  EXPECT_EQ(again.back().back().stream_id, batches.back().back().stream_id);
  EXPECT_EQ(again.front().front().stream_id, batches.front().front().stream_id);
}

TEST(PlanFanOutTest, ResumesWithTheSchoolsNotDone) {
  const breach::v1::Incident incident = IncidentOf(30);
  std::set<std::string> done;
  for (int i = 0; i < 12; ++i) done.insert(incident.schools(i));
  ASSERT_OK_AND_ASSIGN(const auto batches, PlanFanOut(incident, done, kOperator, kNow, 10));
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].size() + batches[1].size(), 18u);
  for (const auto& batch : batches) {
    for (const auto& append : batch) {
      EXPECT_EQ(done.count(append.events[0].tenant()), 0u);
    }
  }
  breach::v1::Incident progress;
  ASSERT_TRUE(progress.ParseFromString(batches[1][0].projection.back().value));
  EXPECT_EQ(progress.cases_created(), 30);
}

TEST(PlanFanOutTest, AStoredBatchCannotBeStoredTwice) {
  breachd::testing::ScratchDir dir("fanout");
  ASSERT_OK_AND_ASSIGN(auto store, eventstore::EventStore::Open(dir.path() + "/intake"));
  const breach::v1::Incident incident = IncidentOf(25);
  ASSERT_OK_AND_ASSIGN(auto batches, PlanFanOut(incident, {}, kOperator, kNow, 10));
  ASSERT_THAT(store->AppendAcrossStreams(batches[0]).status(), IsOk());
  // A retry that lost track of its progress is refused whole, and opens nothing.
  ASSERT_OK_AND_ASSIGN(auto retry,
                       PlanFanOut(incident, {}, kOperator, kNow + absl::Seconds(1), 10));
  EXPECT_THAT(store->AppendAcrossStreams(retry[0]).status(),
              StatusIs(absl::StatusCode::kAlreadyExists));
  // The progress rows say which schools are done; the rest is planned and stored once.
  std::set<std::string> done;
  ASSERT_THAT(store->ScanProjection(IncidentCasePrefix(incident.incident_id()), "",
                                    [&](const std::string& key, const std::string&) {
                                      done.insert(key.substr(key.rfind('/') + 1));
                                      return true;
                                    }),
              IsOk());
  EXPECT_EQ(done.size(), 10u);
  ASSERT_OK_AND_ASSIGN(auto rest, PlanFanOut(incident, done, kOperator, kNow, 10));
  for (auto& batch : rest) {
    ASSERT_THAT(store->AppendAcrossStreams(std::move(batch)).status(), IsOk());
  }
  for (const std::string& code : incident.schools()) {
    ASSERT_OK_AND_ASSIGN(auto events,
                         store->ReadStream(CaseBreachId(incident.incident_id(), code)));
    EXPECT_EQ(events.size(), 1u) << code;
  }
  ASSERT_OK_AND_ASSIGN(auto row, store->GetProjection(IncidentKey(incident.incident_id())));
  breach::v1::Incident stored;
  ASSERT_TRUE(row.has_value() && stored.ParseFromString(*row));
  EXPECT_EQ(stored.cases_created(), 25);
}

// Each school's case is sealed with its own key, the incident's row with the provider's: the
// incident planned from its facts opened (docs/security.md, "What is sealed").
TEST(PlanFanOutTest, EachCaseIsSealedWithItsSchoolsKeyAndTheIncidentWithTheProviders) {
  breachd::testing::ScratchDir dir("fanout-sealed");
  ASSERT_OK_AND_ASSIGN(auto keyring, breachd::testing::OpenTestKeyring(dir.path() + "/keyring"));
  privacy::FieldCipher cipher(*keyring);
  const breach::v1::Incident incident = IncidentOf(3);
  ASSERT_OK_AND_ASSIGN(auto batches,
                       PlanFanOut(incident, {}, kOperator, kNow, kFanOutBatchSize, &cipher));
  ASSERT_EQ(batches.size(), 1u);
  for (const eventstore::AppendRequest& append : batches[0]) {
    const std::string& code = append.events[0].tenant();
    breach::v1::BreachReported reported;
    ASSERT_TRUE(append.events[0].payload().UnpackTo(&reported));
    EXPECT_THAT(reported.report().description(),
                ::testing::StartsWith("sealed:v1:" + privacy::SchoolKeyId(code) + ":"));
    breach::v1::BreachReport opened = reported.report();
    cipher.OpenPersonalData(opened);
    EXPECT_EQ(opened.description(), incident.report().description());
    breach::v1::Report row;
    ASSERT_TRUE(row.ParseFromString(append.projection[0].value));
    EXPECT_TRUE(privacy::IsSealed(row.current().place()));
  }
  breach::v1::Incident progress;
  ASSERT_TRUE(progress.ParseFromString(batches[0][0].projection.back().value));
  EXPECT_THAT(progress.title(), ::testing::StartsWith("sealed:v1:school.provider:"));
  EXPECT_THAT(progress.report().description(),
              ::testing::StartsWith("sealed:v1:school.provider:"));
}

}  // namespace
}  // namespace breachd::intake
