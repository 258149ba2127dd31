// Crypto-shredding end to end (docs/security.md): reports full of recognisable personal strings
// for one school go through every service (intake, register, assessment, notification, over the
// bus); `breachctl tenant export` hands the record over, `breachctl tenant erase` destroys the
// school's keys; then its personal fields read "[erased]" while its metadata, the other school's
// data and `breachctl verify` still hold, and after the suite stops not one of those strings is
// in the raw bytes of any file breachd wrote (RocksDB SSTs, WALs, MANIFESTs, the keyring).
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "breach/v1/admin.grpc.pb.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "breach/v1/tenant.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/grpcutil/tls.h"
#include "libs/privacy/field_cipher.h"
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
GrepResult GrepEveryFile(const std::string& dir) {
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
    for (const std::string& secret : kErasedStrings) {
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
    ASSERT_OK_AND_ASSIGN(suite_, suite::Suite::Start(config));
    auto channel = grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials());
    intake_ = breach::v1::IntakeService::NewStub(channel);
    register_ = breach::v1::RegisterService::NewStub(channel);
    tenants_ = breach::v1::TenantService::NewStub(channel);
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
