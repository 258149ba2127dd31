// Crypto-shredding end to end (docs/security.md): reports full of recognisable personal strings
// for one school go through every service (intake, register, assessment, notification, over the
// bus); `breachctl tenant export` hands the record over, `breachctl tenant erase` destroys the
// school's keys; then its personal fields read "[erased]" while its metadata, the other school's
// data and `breachctl verify` still hold, and after the suite stops not one of those strings is
// in the raw bytes of any file breachd wrote (RocksDB SSTs, WALs, MANIFESTs, the keyring).
#include <filesystem>
#include <map>
#include <set>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "breach/v1/admin.grpc.pb.h"
#include "breach/v1/assessment_service.grpc.pb.h"
#include "breach/v1/directory.grpc.pb.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/incident.grpc.pb.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/notification.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "breach/v1/tenant.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "libs/directory/school_csv.h"
#include "libs/grpcutil/tls.h"
#include "libs/privacy/field_cipher.h"
#include "libs/regulation/notification_drafts.h"
#include "libs/service/personal_data.h"
#include "services/intake/incident_planning.h"
#include "services/breachd/suite.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/stored_events.h"
#include "tools/breachctl/app.h"
#include "tools/breachctl/command_table.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;

// What Vespucci's reports say about people; none may survive the erase anywhere on disk.
const std::vector<std::string> kErasedStrings = {
    "Zebedeo Quaglierini", "zebedeo.quaglierini@example.it", "+39 333 9876543",
    "Ottavia Sbrindellona", "Laboratorio Pantagruel", "Ermenegilda Cuccurullo",
    "Archivio Gorgonzola", "famiglia Scaramacai", "Teodolinda Brambillasca",
    "Geltrude Piripicchio"};
constexpr char kGalileiName[] = "Galileo Persistente";

breach::v1::BreachReport VespucciReport(int n) {
  breach::v1::BreachReport report = LostLaptopReport(kVespucci);
  report.mutable_reporter()->set_name(kErasedStrings[0]);
  report.mutable_reporter()->set_email(kErasedStrings[1]);
  report.mutable_reporter()->set_phone(kErasedStrings[2]);
  report.set_description("Certificato medico di " + kErasedStrings[3] + " #" + std::to_string(n));
  report.set_place(kErasedStrings[4]);
  report.set_department_head("Prof.ssa " + kErasedStrings[5]);
  report.clear_databases();
  report.add_databases(kErasedStrings[6]);
  report.set_actions_taken("Avvisata la " + kErasedStrings[7]);
  return report;
}

struct GrepResult {
  size_t files = 0;
  size_t bytes = 0;
  size_t wal_bytes = 0;
  size_t sst_files = 0;
};

// Reads every regular file under `dir` raw and expects none of the erased school's strings in
// it, nor the other school's (sealed at rest, though readable through the API).
GrepResult GrepEveryFile(const std::string& dir,
                         const std::vector<std::string>& secrets = kErasedStrings) {
  GrepResult result;
  for (const auto& file : std::filesystem::recursive_directory_iterator(dir)) {
    if (!file.is_regular_file()) continue;
    std::ifstream in(file.path(), std::ios::binary);
    std::stringstream raw;
    raw << in.rdbuf();
    const std::string contents = raw.str();
    ++result.files;
    result.bytes += contents.size();
    if (file.path().extension() == ".log") result.wal_bytes += contents.size();
    if (file.path().extension() == ".sst") ++result.sst_files;
    for (const std::string& secret : secrets) {
      EXPECT_EQ(contents.find(secret), std::string::npos)
          << "\"" << secret << "\" is in " << file.path();
    }
    EXPECT_EQ(contents.find(kGalileiName), std::string::npos) << file.path();
  }
  return result;
}

class CryptoShreddingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    dir_ = scratch_->path();
    suite::SuiteConfig config;
    config.services = {"intake", "assessment", "notification", "register"};
    config.listen = "127.0.0.1:0";
    config.transport = grpcutil::InsecureTransport();
    config.data_dir = dir_;
    config.identity_file = dir_ + "/identity.json";
    config.regimes_dir = std::string(BREACHD_SOURCE_DIR) + "/regimes";
    config.templates_dir = std::string(BREACHD_SOURCE_DIR) + "/templates";
    ASSERT_OK_AND_ASSIGN(suite_, suite::Suite::Start(config));
    auto channel = grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials());
    intake_ = breach::v1::IntakeService::NewStub(channel);
    register_ = breach::v1::RegisterService::NewStub(channel);
    tenants_ = breach::v1::TenantService::NewStub(channel);
    assessment_ = breach::v1::AssessmentService::NewStub(channel);
    notification_ = breach::v1::NotificationService::NewStub(channel);
    directory_ = breach::v1::DirectoryService::NewStub(channel);
    incidents_ = breach::v1::IncidentService::NewStub(channel);
  }

  breach::v1::Report GetReport(const std::string& id, const std::string& token) {
    breach::v1::GetReportRequest get;
    get.set_breach_id(id);
    breach::v1::Report report;
    (void)intake_->GetReport(CallAs(token).get(), get, &report);
    return report;
  }

  std::string File(const breach::v1::BreachReport& report, const std::string& token,
                   const std::string& request_id) {
    breach::v1::ReportBreachRequest request;
    request.set_request_id(request_id);
    *request.mutable_report() = report;
    breach::v1::Report filed;
    const grpc::Status status = intake_->ReportBreach(CallAs(token).get(), request, &filed);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return filed.breach_id();
  }

  // The register entry as the school reads it (the provider's operator reads personal fields
  // redacted, docs/security.md).
  breach::v1::RegisterEntry Entry(const std::string& id,
                                  const std::string& token = kVespucciDpoToken) {
    breach::v1::GetBreachRequest request;
    request.set_breach_id(id);
    breach::v1::RegisterEntry entry;
    (void)register_->GetBreach(CallAs(token).get(), request, &entry);
    return entry;
  }

  // breachctl as the provider operator against this suite: exit code and output.
  std::pair<int, std::string> Breachctl(std::vector<std::string> args,
                                        const std::string& token = kOperatorToken) {
    args.insert(args.begin(), {"--endpoint", suite_->endpoint(), "--insecure", "--token", token});
    std::istringstream in;
    std::ostringstream out, err;
    const int code = breachctl::RunCli(breachctl::BreachctlCli(), args,
                                       breachctl::ProcessIo{in, out, err});
    return {code, out.str() + err.str()};
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::string dir_;
  std::unique_ptr<suite::Suite> suite_;
  std::unique_ptr<breach::v1::IntakeService::Stub> intake_;
  std::unique_ptr<breach::v1::RegisterService::Stub> register_;
  std::unique_ptr<breach::v1::TenantService::Stub> tenants_;
  std::unique_ptr<breach::v1::AssessmentService::Stub> assessment_;
  std::unique_ptr<breach::v1::NotificationService::Stub> notification_;
  std::unique_ptr<breach::v1::DirectoryService::Stub> directory_;
  std::unique_ptr<breach::v1::IncidentService::Stub> incidents_;
};

TEST_F(CryptoShreddingTest, AfterEraseNoPersonalStringOfTheSchoolIsOnDiskAndChainsVerify) {
  std::vector<std::string> vespucci;
  for (int i = 0; i < 3; ++i) {
    vespucci.push_back(File(VespucciReport(i), kVespucciDpoToken, "v-" + std::to_string(i)));
  }
  // An amendment (its old and new values are in the event) and a containment action.
  {
    breach::v1::AmendReportRequest amend;
    amend.set_breach_id(vespucci[0]);
    amend.mutable_update_mask()->add_paths("description");
    amend.mutable_report()->set_description("Nuova descrizione: " + kErasedStrings[8]);
    amend.set_reason("dettagli");
    breach::v1::Report amended;
    const grpc::Status status =
        intake_->AmendReport(CallAs(kVespucciDpoToken).get(), amend, &amended);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_THAT(amended.current().description(), HasSubstr(kErasedStrings[8]));
    breach::v1::AddActionRequest action;
    action.set_breach_id(vespucci[1]);
    action.set_request_id("a-1");
    action.set_what("Chiamata alla famiglia");
    action.set_responsible(kErasedStrings[9]);
    breach::v1::ContainmentAction added;
    ASSERT_TRUE(intake_->AddAction(CallAs(kVespucciDpoToken).get(), action, &added).ok());
    EXPECT_EQ(added.responsible(), kErasedStrings[9]);
  }
  breach::v1::BreachReport galilei_report = LostLaptopReport(kGalilei);
  galilei_report.mutable_reporter()->set_name(kGalileiName);
  const std::string galilei = File(galilei_report, kGalileiDpoToken, "g-1");

  // Sealed in every store, opened in every answer: the register shows the text.
  ASSERT_TRUE(WaitUntil([&] {
    return Entry(vespucci[0]).description().find(kErasedStrings[8]) != std::string::npos &&
           Entry(vespucci[1]).measures_size() == 1 && !Entry(vespucci[2]).breach_id().empty() &&
           !Entry(galilei, kGalileiDpoToken).breach_id().empty();
  }));
  EXPECT_EQ(Entry(vespucci[1]).place(), kErasedStrings[4]);
  EXPECT_EQ(Entry(vespucci[1]).measures(0).responsible(), kErasedStrings[9]);

  // The school's whole record, handed over first: exported with the school's own token, since
  // the provider's operator would get the personal fields redacted.
  const std::string export_dir = dir_ + "/handover";
  auto [exported, export_out] =
      Breachctl({"tenant", "export", kVespucci, "-o", export_dir}, kVespucciDpoToken);
  ASSERT_EQ(exported, 0) << export_out;
  for (const char* name : {"register.json", "register.csv", "timelines.csv", "reports.json"}) {
    std::ifstream file(export_dir + "/" + name);
    std::stringstream text;
    text << file.rdbuf();
    EXPECT_FALSE(text.str().empty()) << name;
    // The register has the place and the description; the reports also the reporter.
    if (std::string(name) != "timelines.csv") {
      EXPECT_THAT(text.str(), HasSubstr(kErasedStrings[4])) << name;
    }
    if (std::string(name) == "reports.json") {
      EXPECT_THAT(text.str(), HasSubstr(kErasedStrings[0])) << name;
    }
  }
  std::filesystem::remove_all(export_dir);  // handed over: not part of breachd's disk

  // Only a provider operator erases, only with the code repeated.
  EXPECT_NE(Breachctl({"tenant", "erase", kVespucci, "--confirm", kVespucci, "--reason", "x"},
                      kVespucciDpoToken)
                .first,
            0);
  EXPECT_EQ(Breachctl({"tenant", "erase", kVespucci, "--reason", "fine contratto"}).first, 2);
  breach::v1::EraseTenantRequest unconfirmed;
  unconfirmed.set_tenant(kVespucci);
  unconfirmed.set_confirm(kGalilei);
  unconfirmed.set_reason("x");
  breach::v1::EraseTenantResponse refused;
  EXPECT_EQ(tenants_->EraseTenant(CallAs(kOperatorToken).get(), unconfirmed, &refused)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  auto [erased, erase_out] = Breachctl(
      {"tenant", "erase", kVespucci, "--confirm", kVespucci, "--reason", "fine contratto"});
  ASSERT_EQ(erased, 0) << erase_out;
  EXPECT_THAT(erase_out, HasSubstr("school.MIIS01200V"));

  // Personal fields unreadable, metadata served, the other school untouched.
  const breach::v1::RegisterEntry after = Entry(vespucci[0]);
  EXPECT_EQ(after.description(), privacy::kErased);
  EXPECT_EQ(after.place(), privacy::kErased);
  EXPECT_EQ(after.tenant(), kVespucci);
  EXPECT_EQ(after.approx_data_subjects(), 24);
  EXPECT_EQ(after.status(), breach::v1::BREACH_STATUS_REPORTED);
  EXPECT_EQ(after.amendments(), 1u);
  breach::v1::GetReportRequest get;
  get.set_breach_id(vespucci[2]);
  breach::v1::Report report;
  ASSERT_TRUE(intake_->GetReport(CallAs(kVespucciDpoToken).get(), get, &report).ok());
  EXPECT_EQ(report.report().reporter().name(), privacy::kErased);
  EXPECT_EQ(report.report().reporter().email(), privacy::kErased);
  EXPECT_TRUE(report.report().discovered_at().seconds() > 0);
  get.set_breach_id(galilei);
  ASSERT_TRUE(intake_->GetReport(CallAs(kGalileiDpoToken).get(), get, &report).ok());
  EXPECT_EQ(report.report().reporter().name(), kGalileiName);
  EXPECT_EQ(Entry(galilei, kGalileiDpoToken).description(), LostLaptopReport(kGalilei).description());

  // An erased school files nothing more.
  breach::v1::ReportBreachRequest late;
  late.set_request_id("late");
  *late.mutable_report() = VespucciReport(9);
  breach::v1::Report none;
  EXPECT_EQ(intake_->ReportBreach(CallAs(kVespucciDpoToken).get(), late, &none).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // Every chain (and each store's signed checkpoint, when signed) still verifies.
  auto [verified, verify_out] = Breachctl({"verify"});
  EXPECT_EQ(verified, 0) << verify_out;

  // Every byte breachd wrote, while it runs (the live write-ahead logs hold every write since
  // the last flush) and again after it stopped (flushed to SSTs, logs gone).
  const GrepResult live = GrepEveryFile(dir_);
  EXPECT_GT(live.wal_bytes, 0u) << "no write-ahead log was read";
  suite_.reset();
  const GrepResult stopped = GrepEveryFile(dir_);
  EXPECT_GT(stopped.sst_files, 0u);
  std::cout << "running: grepped " << live.files << " files, " << live.bytes << " bytes ("
            << live.wal_bytes << " of WAL); stopped: " << stopped.files << " files, "
            << stopped.bytes << " bytes (" << stopped.sst_files << " SST)\n";
}

// Every other kind of free text about people, one recognisable string each: filed, read back
// opened by the school (redacted for the provider's operator), sealed on disk from the start,
// [erased] after `tenant erase`, and in no raw byte of any store.
struct FreeText {
  std::string dpo_name = "Eufrasia Tortellacci";               // directory and profile
  std::string dpo_email = "eufrasia.tortellacci@example.it";   // directory
  std::string head_name = "Anacleto Sbarbacipolla";            // school profile
  std::string triage_reason = "segnalato da Zenobia Fracassetti";
  std::string evidence = "verbale di Policarpo Strapazzoni";
  std::string not_a_breach = "falso allarme di Ermelinda Zuccotti";
  std::string close_reason = "chiuso con Fortunata Sgambati";
  std::string reopen_reason = "riaperto per Bonifacio Trombetti";
  std::string systems = "server di Ildebranda Ciccipuzzi";     // Allegato B
  std::string nature = "referti di Ruperto Pancrazietti";      // the drafts quote it
  std::string decide_reason = "deciso con Gervasia Scoppolini";
  std::string incident_title = "incidente di Aristide Pignapignoli";
  std::string incident_text = "dati di Casimira Bergamotti esposti";
  std::string update_reason = "aggiornato da Fulgenzio Cavolfiori";
  std::string containment = "bloccato da Eustachio Piccirilli";
  std::vector<std::string> All() const {
    return {dpo_name,      dpo_email,     head_name,      triage_reason, evidence,
            not_a_breach,  close_reason,  reopen_reason,  systems,       nature,
            decide_reason, incident_title, incident_text, update_reason, containment};
  }
};

breach::v1::RiskAssessment LostLaptopAssessment(const FreeText& text) {
  std::ifstream in(std::string(BREACHD_SOURCE_DIR) + "/docs/examples/assess-lost-laptop.json");
  std::stringstream json;
  json << in.rdbuf();
  breach::v1::RiskAssessment assessment;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json.str(), &assessment).ok());
  assessment.mutable_allegato_b()->set_systems_and_location(text.systems);
  assessment.mutable_content()->set_nature_of_breach(text.nature);
  return assessment;
}

TEST_F(CryptoShreddingTest, EveryOtherFreeTextIsSealedOpenedForTheSchoolAndGoneAfterErase) {
  using google::protobuf::util::TimeUtil;
  const FreeText text;
  // The provider's directory and the school's profile: its DPO and head.
  directory::School vespucci{kVespucci, "IIS Amerigo Vespucci", "Via Valvassori Peroni 8",
                             "20133", "Milano", "miis01200v@istruzione.it",
                             "miis01200v@pec.istruzione.it", text.dpo_name, text.dpo_email,
                             {"registro-elettronico"}};
  breach::v1::ImportSchoolsRequest import;
  import.set_csv(directory::WriteSchoolCsv({vespucci}));
  breach::v1::ImportSchoolsResponse imported;
  ASSERT_TRUE(directory_->ImportSchools(CallAs(kOperatorToken).get(), import, &imported).ok());
  breach::v1::ListSchoolsResponse listed;
  ASSERT_TRUE(directory_->ListSchools(CallAs(kOperatorToken).get(), {}, &listed).ok());
  ASSERT_EQ(listed.schools_size(), 1);
  EXPECT_EQ(listed.schools(0).dpo_email(), text.dpo_email);  // the provider's own directory
  breach::v1::SetSchoolProfileRequest profile;
  profile.mutable_profile()->set_tenant(kVespucci);
  profile.mutable_profile()->set_name("IIS Amerigo Vespucci");
  profile.mutable_profile()->set_address("Via Valvassori Peroni 8, 20133 Milano");
  profile.mutable_profile()->set_head_name(text.head_name);
  profile.mutable_profile()->mutable_dpo()->set_name(text.dpo_name);
  profile.mutable_profile()->set_pec("miis01200v@pec.istruzione.it");
  breach::v1::SchoolProfile stored_profile;
  const grpc::Status set = notification_->SetSchoolProfile(CallAs(kOperatorToken).get(), profile,
                                                           &stored_profile);
  ASSERT_TRUE(set.ok()) << set.error_message();

  // A breach: triaged with its evidence, assessed, decided, its notification drafted.
  const std::string breach = File(VespucciReport(1), kVespucciDpoToken, "free-1");
  breach::v1::TriageRequest triage;
  triage.set_breach_id(breach);
  triage.set_verdict(breach::v1::TRIAGE_VERDICT_BREACH);
  triage.set_reason(text.triage_reason);
  triage.set_evidence(text.evidence);
  *triage.mutable_aware_at() =
      TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(absl::Now() - absl::Hours(2)));
  breach::v1::Report triaged;
  grpc::Status status = intake_->Triage(CallAs(kVespucciHeadToken).get(), triage, &triaged);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(triaged.verdict_reason(), text.triage_reason);
  EXPECT_EQ(triaged.awareness().evidence(), text.evidence);
  breach::v1::SubmitAssessmentRequest submit;
  submit.set_breach_id(breach);
  submit.set_request_id("free-a-1");
  *submit.mutable_assessment() = LostLaptopAssessment(text);
  breach::v1::AssessmentVersion version;
  ASSERT_TRUE(WaitUntil([&] {
    status = assessment_->SubmitAssessment(CallAs(kVespucciDpoToken).get(), submit, &version);
    return status.ok();
  })) << status.error_message();
  breach::v1::DecideDutiesRequest decide;
  decide.set_breach_id(breach);
  decide.set_reason(text.decide_reason);
  ASSERT_TRUE(assessment_->DecideDuties(CallAs(kVespucciDpoToken).get(), decide, &version).ok());
  breach::v1::GetAssessmentRequest get_assessment;
  get_assessment.set_breach_id(breach);
  ASSERT_TRUE(
      assessment_->GetAssessment(CallAs(kVespucciDpoToken).get(), get_assessment, &version).ok());
  EXPECT_EQ(version.assessment().allegato_b().systems_and_location(), text.systems);
  breach::v1::PrepareDraftRequest prepare;
  prepare.set_breach_id(breach);
  prepare.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  breach::v1::Draft draft;
  // Drafted again until the notification has heard of the assessment (before it, the authority
  // notification is presumed required from the triage and drafted without the Allegato B).
  ASSERT_TRUE(WaitUntil([&] {
    return notification_->PrepareDraft(CallAs(kVespucciDpoToken).get(), prepare, &draft).ok() &&
           draft.documents_size() > 0 &&
           draft.documents(0).document().find(text.nature) != std::string::npos;
  }));
  breach::v1::GetDraftRequest get_draft;
  get_draft.set_breach_id(breach);
  get_draft.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  breach::v1::Draft read_draft;
  ASSERT_TRUE(
      notification_->GetDraft(CallAs(kVespucciDpoToken).get(), get_draft, &read_draft).ok());
  ASSERT_GT(read_draft.documents_size(), 0);
  EXPECT_THAT(read_draft.documents(0).document(), HasSubstr(text.nature));
  // What the school approves is the digest of the text it reads.
  EXPECT_EQ(read_draft.sha256(), regulation::DraftSha256({read_draft.documents().begin(),
                                                          read_draft.documents().end()}));
  breach::v1::ApproveDraftRequest approve;
  approve.set_breach_id(breach);
  approve.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  approve.set_draft_version(read_draft.draft_version());
  approve.set_sha256(read_draft.sha256());
  breach::v1::Draft approved;
  status = notification_->ApproveDraft(CallAs(kVespucciHeadToken).get(), approve, &approved);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(approved.documents(0).document(), HasSubstr(text.nature));
  breach::v1::Draft redacted;  // the provider's operator reads the drafts' metadata only
  if (notification_->GetDraft(CallAs(kOperatorToken).get(), get_draft, &redacted).ok()) {
    EXPECT_THAT(redacted.documents(0).document(), ::testing::Not(HasSubstr(text.nature)));
  }

  // Another report: not a breach, closed, reopened, each with its reason.
  const std::string other = File(VespucciReport(2), kVespucciDpoToken, "free-2");
  triage.Clear();
  triage.set_breach_id(other);
  triage.set_verdict(breach::v1::TRIAGE_VERDICT_NOT_A_BREACH);
  triage.set_reason(text.not_a_breach);
  ASSERT_TRUE(intake_->Triage(CallAs(kVespucciHeadToken).get(), triage, &triaged).ok());
  breach::v1::CloseBreachRequest close;
  close.set_breach_id(other);
  close.set_reason(text.close_reason);
  status = intake_->CloseBreach(CallAs(kVespucciHeadToken).get(), close, &triaged);
  ASSERT_TRUE(status.ok()) << status.error_message();
  breach::v1::ReopenBreachRequest reopen;
  reopen.set_breach_id(other);
  reopen.set_reason(text.reopen_reason);
  status = intake_->ReopenBreach(CallAs(kVespucciHeadToken).get(), reopen, &triaged);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(GetReport(other, kVespucciDpoToken).verdict_reason(), text.not_a_breach);
  EXPECT_EQ(GetReport(other, kOperatorToken).verdict_reason(), service::kRedacted);

  // A provider incident reaching the school, then an update: the school's copy under its key.
  breach::v1::CreateIncidentRequest create = RegisterIncidentRequest("free-incident");
  create.set_title(text.incident_title);
  create.mutable_report()->set_description(text.incident_text);
  create.mutable_schools()->Clear();
  create.mutable_schools()->add_codes(kVespucci);
  breach::v1::Incident incident;
  status = incidents_->CreateIncident(CallAs(kOperatorToken).get(), create, &incident);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(incident.title(), text.incident_title);
  const std::string case_id = intake::CaseBreachId(incident.incident_id(), kVespucci);
  ASSERT_TRUE(WaitUntil([&] {
    return GetReport(case_id, kVespucciDpoToken).current().description() == text.incident_text;
  }));
  breach::v1::UpdateIncidentRequest update;
  update.set_request_id("free-update");
  update.set_incident_id(incident.incident_id());
  update.set_reason(text.update_reason);
  update.set_containment(text.containment);
  breach::v1::IncidentUpdate recorded;
  status = incidents_->UpdateIncident(CallAs(kOperatorToken).get(), update, &recorded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(WaitUntil([&] {
    return GetReport(case_id, kVespucciDpoToken).current().actions_taken().find(text.containment) !=
           std::string::npos;
  }));
  breach::v1::ListIncidentsResponse incidents;
  ASSERT_TRUE(incidents_->ListIncidents(CallAs(kOperatorToken).get(), {}, &incidents).ok());
  EXPECT_EQ(incidents.incidents(0).title(), text.incident_title);
  // The processor's notice to the school, drafted from the case, quotes it opened.
  get_draft.set_breach_id(case_id);
  get_draft.set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  ASSERT_TRUE(WaitUntil([&] {
    return notification_->GetDraft(CallAs(kVespucciDpoToken).get(), get_draft, &read_draft).ok();
  }));
  EXPECT_THAT(read_draft.documents(0).document(), HasSubstr(text.incident_text));
  EXPECT_THAT(read_draft.documents(0).document(), HasSubstr(text.head_name));
  // The register holds the verdict's reason and evidence for the school.
  ASSERT_TRUE(WaitUntil([&] { return Entry(breach).awareness_evidence() == text.evidence; }));
  EXPECT_EQ(Entry(breach).verdict_reason(), text.triage_reason);
  EXPECT_EQ(Entry(breach, kOperatorToken).verdict_reason(), service::kRedacted);

  // Read records: the reader is sealed with the school's key of the month in the stores, and
  // opened in the register's answers (timeline, knowledge).
  ASSERT_OK_AND_ASSIGN(auto history, suite_->store("register")->ReadStream(breach));
  int reads = 0;
  for (const auto& event : history) {
    if (event.type() != "breach.v1.BreachViewed") continue;
    ++reads;
    EXPECT_THAT(event.actor().subject(), ::testing::StartsWith("sealed:v1:reads.MIIS01200V."));
  }
  EXPECT_GT(reads, 0);
  breach::v1::GetTimelineRequest get_timeline;
  get_timeline.set_breach_id(breach);
  breach::v1::Timeline timeline;
  ASSERT_TRUE(
      register_->GetTimeline(CallAs(kVespucciDpoToken).get(), get_timeline, &timeline).ok());
  ASSERT_GT(timeline.entries_size(), 0);
  EXPECT_EQ(timeline.entries(timeline.entries_size() - 1).actor().subject(), "user:dpo-vespucci");
  breach::v1::GetKnowledgeRequest get_knowledge;
  get_knowledge.set_breach_id(breach);
  breach::v1::Knowledge knowledge;
  auto readers = [&] {
    std::set<std::string> subjects;
    EXPECT_TRUE(
        register_->GetKnowledge(CallAs(kVespucciDpoToken).get(), get_knowledge, &knowledge).ok());
    for (const auto& principal : knowledge.principals()) {
      subjects.insert(principal.principal().subject());
    }
    return subjects;
  };
  EXPECT_TRUE(WaitUntil([&] { return readers().count("user:dpo-vespucci") == 1; }))
      << knowledge.DebugString();
  EXPECT_EQ(knowledge.awareness(0).awareness().evidence(), text.evidence);

  // Sealed on disk from the start, then erased.
  (void)GrepEveryFile(dir_, text.All());
  auto [erased, erase_out] = Breachctl(
      {"tenant", "erase", kVespucci, "--confirm", kVespucci, "--reason", "fine contratto"});
  ASSERT_EQ(erased, 0) << erase_out;
  EXPECT_EQ(GetReport(breach, kVespucciDpoToken).verdict_reason(), privacy::kErased);
  EXPECT_EQ(GetReport(breach, kVespucciDpoToken).awareness().evidence(), privacy::kErased);
  EXPECT_EQ(GetReport(case_id, kVespucciDpoToken).current().description(), privacy::kErased);
  ASSERT_TRUE(
      assessment_->GetAssessment(CallAs(kVespucciDpoToken).get(), get_assessment, &version).ok());
  EXPECT_EQ(version.assessment().allegato_b().systems_and_location(), privacy::kErased);
  get_draft.set_breach_id(breach);
  get_draft.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  ASSERT_TRUE(
      notification_->GetDraft(CallAs(kVespucciDpoToken).get(), get_draft, &read_draft).ok());
  EXPECT_EQ(read_draft.documents(0).document(), privacy::kErased);
  EXPECT_EQ(read_draft.sha256(), approved.sha256());  // what was approved stays named
  breach::v1::GetSchoolProfileRequest get_profile;
  get_profile.set_tenant(kVespucci);
  ASSERT_TRUE(
      notification_->GetSchoolProfile(CallAs(kOperatorToken).get(), get_profile, &stored_profile)
          .ok());
  EXPECT_EQ(stored_profile.head_name(), privacy::kErased);
  EXPECT_EQ(stored_profile.name(), "IIS Amerigo Vespucci");
  // Who read stays recorded (when, which view), the reader is gone with the school's keys.
  ASSERT_TRUE(
      register_->GetTimeline(CallAs(kVespucciDpoToken).get(), get_timeline, &timeline).ok());
  for (const auto& line : timeline.entries()) {
    if (line.type() == "breach.v1.BreachViewed") {
      EXPECT_EQ(line.actor().subject(), privacy::kErased);
    }
  }
  EXPECT_EQ(readers().count(privacy::kErased), 1u);  // the DPO stays as the report's author
  // The incident is the provider's record (its key): still readable for it.
  ASSERT_TRUE(incidents_->ListIncidents(CallAs(kOperatorToken).get(), {}, &incidents).ok());
  EXPECT_EQ(incidents.incidents(0).title(), text.incident_title);

  auto [verified, verify_out] = Breachctl({"verify"});
  EXPECT_EQ(verified, 0) << verify_out;
  suite_.reset();
  (void)GrepEveryFile(dir_, text.All());
}

// `tenant rotate-key`: reports filed afterwards are sealed under the new key id, earlier ones
// still open; the erasure then destroys both generations.
TEST_F(CryptoShreddingTest, ARotatedKeySealsNewDataAndTheOldStillOpensUntilErased) {
  const std::string before = File(VespucciReport(0), kVespucciDpoToken, "r-0");
  EXPECT_NE(Breachctl({"tenant", "rotate-key", kVespucci, "--reason", "x"}, kVespucciDpoToken).first,
            0);
  EXPECT_EQ(Breachctl({"tenant", "rotate-key", kVespucci}).first, 2);  // no --reason
  auto [rotated, rotate_out] =
      Breachctl({"tenant", "rotate-key", kVespucci, "--reason", "yearly rotation", "-o", "json"});
  ASSERT_EQ(rotated, 0) << rotate_out;
  EXPECT_THAT(rotate_out, HasSubstr("\"new_key\": \"school.MIIS01200V.2\""));
  const std::string after = File(VespucciReport(1), kVespucciDpoToken, "r-1");

  // The intake's events as stored: the reporter sealed under each key id.
  std::map<std::string, std::string> sealed_name;  // breach id -> stored reporter name
  for (const auto& event :
       StoredEvents(grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials()),
                    "intake", kServiceToken)) {
    breach::v1::BreachReported reported;
    if (event.payload().UnpackTo(&reported)) {
      sealed_name[event.stream_id()] = reported.report().reporter().name();
    }
  }
  EXPECT_THAT(sealed_name[before], ::testing::StartsWith("sealed:v1:school.MIIS01200V:"));
  EXPECT_THAT(sealed_name[after], ::testing::StartsWith("sealed:v1:school.MIIS01200V.2:"));
  breach::v1::GetReportRequest get;
  breach::v1::Report report;
  for (const std::string& id : {before, after}) {
    get.set_breach_id(id);
    ASSERT_TRUE(intake_->GetReport(CallAs(kVespucciDpoToken).get(), get, &report).ok());
    EXPECT_EQ(report.report().reporter().name(), kErasedStrings[0]) << id;
  }

  auto [erased, erase_out] = Breachctl(
      {"tenant", "erase", kVespucci, "--confirm", kVespucci, "--reason", "fine contratto"});
  ASSERT_EQ(erased, 0) << erase_out;
  EXPECT_THAT(erase_out, HasSubstr("school.MIIS01200V.2"));
  for (const std::string& id : {before, after}) {
    get.set_breach_id(id);
    ASSERT_TRUE(intake_->GetReport(CallAs(kVespucciDpoToken).get(), get, &report).ok());
    EXPECT_EQ(report.report().reporter().name(), privacy::kErased) << id;
  }
  EXPECT_NE(Breachctl({"tenant", "rotate-key", kVespucci, "--reason", "again"}).first, 0);
}

}  // namespace
}  // namespace breachd
