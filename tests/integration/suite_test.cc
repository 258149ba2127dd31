// Every hosted service in one process over the embedded Kafka-protocol bus, driven through gRPC
// as a client would: intake to register, tenancy, bad input, idempotency, restart, and a table of
// bad calls to every RPC.
#include <functional>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "breach/v1/admin.grpc.pb.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/feed.grpc.pb.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libs/bus/partition_ownership.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/grpcutil/tls.h"
#include "services/breachd/suite.h"
#include "tests/testing/fixtures.h"
#include "tools/breachctl/register_export.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Property;
using ::testing::SizeIs;

using breach::v1::StoreVerification;

// A ULID that names no breach.
constexpr char kUnknownBreach[] = "01JQ0000000000000000000000";

class SuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    dir_ = scratch_->path();
    StartSuite();
  }

  void StartSuite() {
    suite::SuiteConfig config;
    config.services = {"intake", "register"};
    config.listen = "127.0.0.1:0";
    config.transport = grpcutil::InsecureTransport();  // TLS: tls_handshake_test.cc
    config.dev_identity = true;
    config.data_dir = dir_;
    config.kafka = "embedded";
    ASSERT_OK_AND_ASSIGN(suite_, suite::Suite::Start(config));
    auto channel = grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials());
    intake_ = breach::v1::IntakeService::NewStub(channel);
    register_ = breach::v1::RegisterService::NewStub(channel);
    admin_ = breach::v1::AdminService::NewStub(channel);
    health_ = grpc::health::v1::Health::NewStub(channel);
  }


  breach::v1::Report File(const std::string& token, const breach::v1::BreachReport& form,
                          const std::string& request_id) {
    breach::v1::ReportBreachRequest request;
    request.set_request_id(request_id);
    *request.mutable_report() = form;
    breach::v1::Report report;
    const grpc::Status status = intake_->ReportBreach(CallAs(token).get(), request, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report;
  }

  breach::v1::ListBreachesResponse List(const std::string& token, const std::string& tenant = "") {
    breach::v1::ListBreachesRequest request;
    request.set_tenant(tenant);
    breach::v1::ListBreachesResponse response;
    const grpc::Status status = register_->ListBreaches(CallAs(token).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  bool RegisterHolds(size_t count, const std::string& tenant = "") {
    return WaitUntil([&] { return List(kOperatorToken, tenant).entries_size() == int(count); });
  }

  std::unique_ptr<ScratchDir> scratch_;  // outlives everything that writes into it
  std::string dir_;
  std::unique_ptr<suite::Suite> suite_;
  std::unique_ptr<breach::v1::IntakeService::Stub> intake_;
  std::unique_ptr<breach::v1::RegisterService::Stub> register_;
  std::unique_ptr<breach::v1::AdminService::Stub> admin_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

// A store's verification, by the service it belongs to and how many events it holds.
auto StoreWith(const std::string& service, uint64_t events) {
  return AllOf(Property(&StoreVerification::service, service),
               Property(&StoreVerification::events_checked, events));
}

TEST_F(SuiteTest, ReportReachesTheSchoolRegisterAndTimeline) {
  const breach::v1::Report report = File(kVespucciStaffToken, LostLaptopReport(kVespucci), "r-1");
  EXPECT_EQ(report.name(), "tenants/MIIS01200V/breaches/" + report.breach_id());
  EXPECT_EQ(report.reported_by().subject(), "user:segreteria");
  ASSERT_TRUE(RegisterHolds(1));

  breach::v1::ListBreachesResponse list = List(kVespucciDpoToken);
  ASSERT_THAT(list.entries(), SizeIs(1));
  EXPECT_EQ(list.entries(0).breach_id(), report.breach_id());
  EXPECT_EQ(list.entries(0).status(), breach::v1::BREACH_STATUS_REPORTED);

  breach::v1::GetTimelineRequest request;
  request.set_breach_id(report.breach_id());
  breach::v1::Timeline timeline;
  ASSERT_TRUE(register_->GetTimeline(CallAs(kVespucciDpoToken).get(), request, &timeline).ok());
  ASSERT_GE(timeline.entries_size(), 2);
  EXPECT_EQ(timeline.entries(0).type(), "breach.v1.BreachReported");
  EXPECT_EQ(timeline.entries(0).actor().subject(), "user:segreteria");
  EXPECT_EQ(timeline.entries(0).actor().role(), "school-staff");
  EXPECT_TRUE(timeline.entries(0).has_occurred_at());
  EXPECT_TRUE(timeline.entries(0).has_recorded_at());
  // Reading the timeline is itself on the timeline.
  const auto& last = timeline.entries(timeline.entries_size() - 1);
  EXPECT_EQ(last.type(), "breach.v1.BreachViewed");
  EXPECT_EQ(last.actor().subject(), "user:dpo-vespucci");
}

TEST_F(SuiteTest, SchoolNeverSeesAnotherSchool) {
  const breach::v1::Report report = File(kVespucciDpoToken, LostLaptopReport(kVespucci), "r-1");
  File(kGalileiDpoToken, LostLaptopReport(kGalilei), "r-1");
  ASSERT_TRUE(RegisterHolds(2));

  EXPECT_THAT(List(kGalileiDpoToken).entries(), SizeIs(1));
  breach::v1::ListBreachesRequest other;
  other.set_tenant(kVespucci);
  breach::v1::ListBreachesResponse response;
  EXPECT_EQ(register_->ListBreaches(CallAs(kGalileiDpoToken).get(), other, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Another school's breach is answered exactly like a breach that does not exist (AIP-211).
  for (const std::string& id : {report.breach_id(), std::string(kUnknownBreach)}) {
    SCOPED_TRACE(id);
    breach::v1::GetBreachRequest get;
    get.set_breach_id(id);
    breach::v1::RegisterEntry entry;
    const grpc::Status entry_status = register_->GetBreach(CallAs(kGalileiDpoToken).get(), get, &entry);
    EXPECT_EQ(entry_status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(entry_status.error_message(), absl::StrCat("no breach ", id, " in the register"));
    breach::v1::GetTimelineRequest timeline_request;
    timeline_request.set_breach_id(id);
    breach::v1::Timeline timeline;
    const grpc::Status timeline_status =
        register_->GetTimeline(CallAs(kGalileiDpoToken).get(), timeline_request, &timeline);
    EXPECT_EQ(timeline_status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(timeline_status.error_message(), entry_status.error_message());
    breach::v1::GetReportRequest get_report;
    get_report.set_breach_id(id);
    breach::v1::Report read;
    const grpc::Status report_status =
        intake_->GetReport(CallAs(kGalileiDpoToken).get(), get_report, &read);
    EXPECT_EQ(report_status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(report_status.error_message(), absl::StrCat("no breach ", id));
    breach::v1::VerifyChainsRequest verify;
    verify.set_breach_id(id);
    breach::v1::VerifyChainsResponse verified;
    const grpc::Status verify_status =
        admin_->VerifyChains(CallAs(kGalileiDpoToken).get(), verify, &verified);
    EXPECT_EQ(verify_status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(verify_status.error_message(), report_status.error_message());
  }
  breach::v1::Report read;

  breach::v1::ReportBreachRequest forged;
  forged.set_request_id("forged");
  *forged.mutable_report() = LostLaptopReport(kVespucci);
  EXPECT_EQ(intake_->ReportBreach(CallAs(kGalileiDpoToken).get(), forged, &read).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(List(kOperatorToken, kVespucci).entries(), SizeIs(1));
}

TEST_F(SuiteTest, RequestsWithoutAValidTokenAreUnauthenticated) {
  breach::v1::ListBreachesResponse response;
  EXPECT_EQ(register_->ListBreaches(CallAs("forged").get(), {}, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(SuiteTest, BadReportNamesTheFieldAndStoresNothing) {
  breach::v1::BreachReport form = LostLaptopReport(kVespucci);
  *form.mutable_incident_at() = form.discovered_at();
  form.mutable_incident_at()->set_seconds(form.discovered_at().seconds() + 3600);
  breach::v1::ReportBreachRequest request;
  request.set_request_id("bad-1");
  *request.mutable_report() = form;
  breach::v1::Report report;
  const grpc::Status status = intake_->ReportBreach(CallAs(kVespucciDpoToken).get(), request, &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("report.incident_at"));

  File(kVespucciDpoToken, LostLaptopReport(kVespucci), "good-1");
  ASSERT_TRUE(RegisterHolds(1));
  breach::v1::VerifyChainsResponse verified;
  ASSERT_TRUE(admin_->VerifyChains(CallAs(kOperatorToken).get(), {}, &verified).ok());
  EXPECT_THAT(verified.stores(), Contains(StoreWith("intake", 1)));
}

TEST_F(SuiteTest, RetriedRequestFilesOneBreach) {
  const breach::v1::BreachReport form = LostLaptopReport(kVespucci);
  const breach::v1::Report first = File(kVespucciDpoToken, form, "same");
  const breach::v1::Report again = File(kVespucciDpoToken, form, "same");
  EXPECT_EQ(first.breach_id(), again.breach_id());
  ASSERT_TRUE(RegisterHolds(1));
}

TEST_F(SuiteTest, ReusedRequestIdForAnotherRequestIsRefusedAndFilesNothing) {
  const breach::v1::BreachReport form = LostLaptopReport(kVespucci);
  File(kVespucciDpoToken, form, "demo-1");
  const uint64_t filed = suite_->store("intake")->LastPosition();

  breach::v1::ReportBreachRequest other_body;
  other_body.set_request_id("demo-1");
  *other_body.mutable_report() = form;
  other_body.mutable_report()->set_place("Aula 3, armadio aperto");
  breach::v1::ReportBreachRequest other_caller;
  other_caller.set_request_id("demo-1");
  *other_caller.mutable_report() = form;
  const std::pair<const char*, const breach::v1::ReportBreachRequest*> reuses[] = {
      {kVespucciDpoToken, &other_body}, {kVespucciStaffToken, &other_caller}};
  for (const auto& [token, request] : reuses) {
    breach::v1::Report report;
    const grpc::Status status = intake_->ReportBreach(CallAs(token).get(), *request, &report);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << token;
    EXPECT_EQ(status.error_message(),
              "request_id demo-1 was already used for a different request");
  }
  EXPECT_EQ(suite_->store("intake")->LastPosition(), filed);
  ASSERT_TRUE(RegisterHolds(1));
}

TEST_F(SuiteTest, RegisterPagesAndFilters) {
  for (int i = 0; i < 3; ++i) {
    File(kVespucciDpoToken, LostLaptopReport(kVespucci), "p-" + std::to_string(i));
  }
  ASSERT_TRUE(RegisterHolds(3));
  breach::v1::ListBreachesRequest request;
  request.set_page_size(2);
  breach::v1::ListBreachesResponse first, second;
  ASSERT_TRUE(register_->ListBreaches(CallAs(kVespucciDpoToken).get(), request, &first).ok());
  EXPECT_THAT(first.entries(), SizeIs(2));
  ASSERT_FALSE(first.next_page_token().empty());
  request.set_page_token(first.next_page_token());
  ASSERT_TRUE(register_->ListBreaches(CallAs(kVespucciDpoToken).get(), request, &second).ok());
  EXPECT_THAT(second.entries(), SizeIs(1));
  EXPECT_TRUE(second.next_page_token().empty());
  EXPECT_NE(second.entries(0).breach_id(), first.entries(0).breach_id());

  request.clear_page_token();
  request.set_page_size(0);
  request.set_year(first.entries(0).year() + 1);
  breach::v1::ListBreachesResponse next_year;
  ASSERT_TRUE(register_->ListBreaches(CallAs(kVespucciDpoToken).get(), request, &next_year).ok());
  EXPECT_THAT(next_year.entries(), SizeIs(0));

  request.set_year(0);
  request.set_page_token("not-a-token");
  const grpc::Status bad = register_->ListBreaches(CallAs(kVespucciDpoToken).get(), request, &first);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("page_token"));
}

// The register's filters and orders through gRPC: sorted pages that meet without a gap,
// a token only for the listing it came from, and every bad filter named.
TEST_F(SuiteTest, RegisterSortsFiltersAndNamesBadFilters) {
  std::vector<std::string> filed;
  for (int i = 0; i < 3; ++i) {
    breach::v1::BreachReport form = LostLaptopReport(kVespucci);
    // Discovered in the reverse order of filing: the latest filed was discovered first.
    form.mutable_discovered_at()->set_seconds(form.discovered_at().seconds() - 3600 * (i + 1));
    filed.push_back(File(kVespucciDpoToken, form, "s-" + std::to_string(i)).breach_id());
  }
  ASSERT_TRUE(RegisterHolds(3));
  breach::v1::ListBreachesRequest request;
  request.set_order_by(breach::v1::REGISTER_ORDER_DISCOVERED);
  request.set_page_size(2);
  breach::v1::ListBreachesResponse first, second;
  ASSERT_TRUE(register_->ListBreaches(CallAs(kVespucciDpoToken).get(), request, &first).ok());
  ASSERT_THAT(first.entries(), SizeIs(2));
  EXPECT_EQ(first.entries(0).breach_id(), filed[2]);
  EXPECT_EQ(first.entries(1).breach_id(), filed[1]);
  request.set_page_token(first.next_page_token());
  ASSERT_TRUE(register_->ListBreaches(CallAs(kVespucciDpoToken).get(), request, &second).ok());
  ASSERT_THAT(second.entries(), SizeIs(1));
  EXPECT_EQ(second.entries(0).breach_id(), filed[0]);
  EXPECT_TRUE(second.next_page_token().empty());

  // A token of one order is no token of another.
  request.set_order_by(breach::v1::REGISTER_ORDER_UNSPECIFIED);
  grpc::Status status = register_->ListBreaches(CallAs(kVespucciDpoToken).get(), request, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_token"));

  // Nobody is notified or overdue yet; every one is unclassified.
  request.Clear();
  request.set_notified(breach::v1::NOTIFIED_FILTER_NOT_NOTIFIED);
  ASSERT_TRUE(register_->ListBreaches(CallAs(kVespucciDpoToken).get(), request, &first).ok());
  EXPECT_THAT(first.entries(), SizeIs(3));
  EXPECT_FALSE(first.entries(0).overdue());
  request.set_overdue_only(true);
  ASSERT_TRUE(register_->ListBreaches(CallAs(kVespucciDpoToken).get(), request, &first).ok());
  EXPECT_THAT(first.entries(), SizeIs(0));
  request.Clear();
  request.set_classification(3);
  ASSERT_TRUE(register_->ListBreaches(CallAs(kVespucciDpoToken).get(), request, &first).ok());
  EXPECT_THAT(first.entries(), SizeIs(0));

  const uint64_t audited = suite_->store("register")->LastPosition();
  for (auto [set, field] : std::vector<std::pair<std::function<void(breach::v1::ListBreachesRequest&)>,
                                                 std::string>>{
           {[](auto& r) { r.set_year(1999); }, "year"},
           {[](auto& r) { r.set_classification(4); }, "classification"},
           {[](auto& r) { r.set_notified(static_cast<breach::v1::NotifiedFilter>(5)); }, "notified"},
           {[](auto& r) { r.set_order_by(static_cast<breach::v1::RegisterOrder>(5)); }, "order_by"},
           {[](auto& r) { r.set_status(static_cast<breach::v1::BreachStatus>(9)); }, "status"}}) {
    breach::v1::ListBreachesRequest bad;
    set(bad);
    status = register_->ListBreaches(CallAs(kVespucciDpoToken).get(), bad, &first);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_THAT(status.error_message(), HasSubstr(field));
  }
  // A refused listing shows nothing, so records no listing.
  EXPECT_EQ(suite_->store("register")->LastPosition(), audited);
}

// Who knew what: the reporter as the report's author, the DPO from the entry they read, the
// operator from a page of the register (reads reach the knowledge projection over the bus);
// another school gets NOT_FOUND.
TEST_F(SuiteTest, KnowledgeShowsWhoSawTheReportAndHow) {
  const breach::v1::Report report = File(kVespucciStaffToken, LostLaptopReport(kVespucci), "k-1");
  ASSERT_TRUE(RegisterHolds(1));
  breach::v1::GetBreachRequest get;
  get.set_breach_id(report.breach_id());
  breach::v1::RegisterEntry entry;
  ASSERT_TRUE(register_->GetBreach(CallAs(kVespucciDpoToken).get(), get, &entry).ok());
  breach::v1::GetKnowledgeRequest request;
  request.set_breach_id(report.breach_id());
  breach::v1::Knowledge knowledge;
  std::map<std::string, std::string> how;  // subject -> how they first saw the report
  ASSERT_TRUE(WaitUntil([&] {
    EXPECT_TRUE(register_->GetKnowledge(CallAs(kVespucciDpoToken).get(), request, &knowledge).ok());
    how.clear();
    for (const auto& principal : knowledge.principals()) {
      for (const auto& seen : principal.seen()) {
        if (seen.fact() == "report") how[principal.principal().subject()] = seen.how();
      }
    }
    return how.count("user:dpo-vespucci") == 1;
  })) << knowledge.DebugString();
  EXPECT_EQ(how["user:segreteria"], "author");
  EXPECT_EQ(how["user:dpo-vespucci"], "register-entry");
  // RegisterHolds listed the register as the operator: a page shows the report too.
  EXPECT_EQ(how["user:ops"], "list");
  const grpc::Status other =
      register_->GetKnowledge(CallAs(kGalileiDpoToken).get(), request, &knowledge);
  EXPECT_EQ(other.error_code(), grpc::StatusCode::NOT_FOUND);
}

// An export for an inspection: recorded first, a header then every breach with its events and
// chain proof, which the offline check (breachctl verify --export) accepts; another school's
// register is refused and the refusal recorded; a bad format is named.
TEST_F(SuiteTest, RegisterExportCarriesItsChainProofAndIsRecorded) {
  const breach::v1::Report report = File(kVespucciStaffToken, LostLaptopReport(kVespucci), "e-1");
  ASSERT_TRUE(RegisterHolds(1));
  auto read_all = [&](const std::string& token, const breach::v1::ExportRegisterRequest& request,
                      breach::v1::RegisterExport& exported) {
    auto context = CallAs(token);
    auto reader = register_->ExportRegister(context.get(), request);
    breach::v1::ExportChunk chunk;
    while (reader->Read(&chunk)) {
      if (chunk.has_header()) *exported.mutable_header() = chunk.header();
      if (chunk.has_breach()) *exported.add_breaches() = chunk.breach();
    }
    return reader->Finish();
  };
  breach::v1::ExportRegisterRequest request;
  request.set_format("json");
  breach::v1::RegisterExport exported;
  ASSERT_TRUE(read_all(kVespucciDpoToken, request, exported).ok());
  EXPECT_EQ(exported.header().breaches(), 1u);
  EXPECT_EQ(exported.header().exported_by().subject(), "user:dpo-vespucci");
  ASSERT_THAT(exported.breaches(), SizeIs(1));
  EXPECT_EQ(exported.breaches(0).entry().breach_id(), report.breach_id());
  ASSERT_THAT(exported.breaches(0).heads(), SizeIs(1));
  EXPECT_EQ(exported.breaches(0).heads(0).source(), "intake");
  absl::TimeZone rome;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Rome", &rome));
  EXPECT_THAT(breachctl::CheckExportedBreach(exported.breaches(0), rome), IsEmpty());
  ASSERT_OK_AND_ASSIGN(auto audit, suite_->store("register")->ReadStream("audit-MIIS01200V"));
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().type(), "breach.v1.RegisterExported");
  EXPECT_EQ(audit.back().event_id(), exported.header().export_event_id());

  request.set_tenant(kVespucci);
  breach::v1::RegisterExport refused;
  EXPECT_EQ(read_all(kGalileiDpoToken, request, refused).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_OK_AND_ASSIGN(auto galilei, suite_->store("register")->ReadStream("audit-RMIC81500L"));
  ASSERT_FALSE(galilei.empty());
  EXPECT_EQ(galilei.back().type(), "breach.v1.AccessDenied");
  EXPECT_THAT(refused.breaches(), IsEmpty());

  request.set_tenant("");
  request.set_format("xlsx");
  const grpc::Status bad = read_all(kVespucciDpoToken, request, refused);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("format"));
}

TEST_F(SuiteTest, RefusalsAreRecordedOnTheAuditStream) {
  const breach::v1::Report report = File(kVespucciDpoToken, LostLaptopReport(kVespucci), "r-1");
  breach::v1::GetReportRequest get;
  get.set_breach_id(report.breach_id());
  breach::v1::Report read;
  ASSERT_EQ(intake_->GetReport(CallAs(kGalileiDpoToken).get(), get, &read).error_code(),
            grpc::StatusCode::NOT_FOUND);
  breach::v1::VerifyChainsResponse verified;
  ASSERT_TRUE(admin_->VerifyChains(CallAs(kOperatorToken).get(), {}, &verified).ok());
  // The breach and audit-RMIC81500L.
  EXPECT_THAT(verified.stores(), Contains(AllOf(Property(&StoreVerification::service, "intake"),
                                                Property(&StoreVerification::streams_checked, 2u))));
  ASSERT_OK_AND_ASSIGN(auto audit, suite_->store("intake")->ReadStream("audit-RMIC81500L"));
  ASSERT_THAT(audit, SizeIs(1));
  EXPECT_EQ(audit[0].type(), "breach.v1.AccessDenied");
}

TEST_F(SuiteTest, AdminRefusalsAreRecordedInTheStoreOfTheRefusedAction) {
  const breach::v1::Report report = File(kVespucciDpoToken, LostLaptopReport(kVespucci), "r-1");
  // One breach: recorded by the intake store, which holds it (the register holds no stream yet).
  breach::v1::VerifyChainsRequest one;
  one.set_breach_id(report.breach_id());
  breach::v1::VerifyChainsResponse verified;
  EXPECT_EQ(admin_->VerifyChains(CallAs(kGalileiDpoToken).get(), one, &verified).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Every store: a DPO lacks the provider-operator role, and each store records the attempt.
  const grpc::Status whole = admin_->VerifyChains(CallAs(kVespucciDpoToken).get(), {}, &verified);
  EXPECT_EQ(whole.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(whole.error_message(), HasSubstr("provider-operator"));
  EXPECT_THAT(whole.error_message(), Not(HasSubstr("another school")));

  const auto refusals = [&](const std::string& service, const std::string& tenant) {
    std::vector<std::string> sources;
    auto events = suite_->store(service)->ReadStream(absl::StrCat("audit-", tenant));
    EXPECT_TRUE(events.ok()) << events.status();
    for (const auto& event : *events) {
      EXPECT_EQ(event.type(), "breach.v1.AccessDenied");
      sources.push_back(event.source());
    }
    return sources;
  };
  EXPECT_THAT(refusals("intake", kGalilei), ElementsAre("intake"));
  EXPECT_THAT(refusals("register", kGalilei), SizeIs(0));
  EXPECT_THAT(refusals("intake", kVespucci), ElementsAre("intake"));
  EXPECT_THAT(refusals("register", kVespucci), ElementsAre("register"));
}

TEST_F(SuiteTest, ListingIsRecordedWithTheEntriesShown) {
  const breach::v1::Report report = File(kVespucciDpoToken, LostLaptopReport(kVespucci), "r-1");
  ASSERT_TRUE(RegisterHolds(1));
  ASSERT_THAT(List(kVespucciDpoToken).entries(), SizeIs(1));
  ASSERT_OK_AND_ASSIGN(auto audit, suite_->store("register")->ReadStream("audit-MIIS01200V"));
  ASSERT_THAT(audit, SizeIs(1));
  // The reader is sealed with the school's key of the month, and opens back.
  breach::v1::Actor reader = audit[0].actor();
  EXPECT_TRUE(privacy::IsSealed(reader.subject()));
  EXPECT_THAT(reader.subject(), ::testing::HasSubstr("reads.MIIS01200V."));
  suite_->cipher().OpenReader(reader);
  EXPECT_EQ(reader.subject(), "user:dpo-vespucci");
  breach::v1::BreachesListed listed;
  ASSERT_TRUE(audit[0].payload().UnpackTo(&listed));
  EXPECT_THAT(listed.breach_ids(), ElementsAre(report.breach_id()));
}

TEST_F(SuiteTest, EveryHostedServiceIsServing) {
  for (const char* service : {"", "breach.v1.IntakeService", "breach.v1.RegisterService",
                              "breach.v1.AdminService"}) {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = health_->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << service << ": " << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
}

TEST_F(SuiteTest, AmbiguousCredentialsAreUnauthenticated) {
  auto context = CallAs(kVespucciDpoToken);
  context->AddMetadata("authorization", std::string("Bearer ") + kOperatorToken);
  breach::v1::WhoAmIResponse me;
  const grpc::Status status = admin_->WhoAmI(context.get(), {}, &me);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), "more than one authorization header");
}

// The bad calls below, one helper per RPC (public: the table's lambdas call them).
class EveryRpcTest : public SuiteTest {
 public:
  grpc::Status ReportAs(const std::string& token, const std::string& request_id,
                        const std::function<void(breach::v1::BreachReport&)>& spoil) {
    breach::v1::ReportBreachRequest request;
    request.set_request_id(request_id);
    *request.mutable_report() = LostLaptopReport(kVespucci);
    spoil(*request.mutable_report());
    breach::v1::Report report;
    return intake_->ReportBreach(CallAs(token).get(), request, &report);
  }
  grpc::Status Report(const std::function<void(breach::v1::BreachReport&)>& spoil) {
    return ReportAs(kVespucciDpoToken, "bad-1", spoil);
  }
  grpc::Status GetReport(const std::string& token, const std::string& id) {
    breach::v1::GetReportRequest request;
    request.set_breach_id(id);
    breach::v1::Report report;
    return intake_->GetReport(CallAs(token).get(), request, &report);
  }
  // A lifecycle RPC of the intake with `request` as given.
  template <typename Request, typename Response>
  grpc::Status CallIntake(grpc::Status (breach::v1::IntakeService::Stub::*method)(
                              grpc::ClientContext*, const Request&, Response*),
                          const std::string& token, const Request& request) {
    Response response;
    return ((*intake_).*method)(CallAs(token).get(), request, &response);
  }
  grpc::Status Triage(const std::string& token, const std::string& id,
                      breach::v1::TriageVerdict verdict) {
    breach::v1::TriageRequest request;
    request.set_breach_id(id);
    request.set_verdict(verdict);
    request.set_reason("controllo");
    return CallIntake(&breach::v1::IntakeService::Stub::Triage, token, request);
  }
  grpc::Status AddAction(const std::string& token, const std::string& id,
                         const std::string& request_id, breach::v1::ActionStatus status) {
    breach::v1::AddActionRequest request;
    request.set_breach_id(id);
    request.set_request_id(request_id);
    request.set_what("Password cambiate");
    request.set_responsible("IT");
    request.set_status(status);
    return CallIntake(&breach::v1::IntakeService::Stub::AddAction, token, request);
  }
  grpc::Status ListBreaches(const std::string& token,
                            const std::function<void(breach::v1::ListBreachesRequest&)>& spoil) {
    breach::v1::ListBreachesRequest request;
    spoil(request);
    breach::v1::ListBreachesResponse response;
    return register_->ListBreaches(CallAs(token).get(), request, &response);
  }
  grpc::Status GetBreach(const std::string& token, const std::string& id) {
    breach::v1::GetBreachRequest request;
    request.set_breach_id(id);
    breach::v1::RegisterEntry entry;
    return register_->GetBreach(CallAs(token).get(), request, &entry);
  }
  grpc::Status GetTimeline(const std::string& token, const std::string& id) {
    breach::v1::GetTimelineRequest request;
    request.set_breach_id(id);
    breach::v1::Timeline timeline;
    return register_->GetTimeline(CallAs(token).get(), request, &timeline);
  }
  grpc::Status Verify(const std::string& token, const std::string& id) {
    breach::v1::VerifyChainsRequest request;
    request.set_breach_id(id);
    breach::v1::VerifyChainsResponse response;
    return admin_->VerifyChains(CallAs(token).get(), request, &response);
  }
  grpc::Status WhoAmI(std::unique_ptr<grpc::ClientContext> context) {
    breach::v1::WhoAmIResponse response;
    return admin_->WhoAmI(context.get(), {}, &response);
  }
  grpc::Status DeliveryStatus(const std::string& token) {
    breach::v1::GetDeliveryStatusResponse response;
    return admin_->GetDeliveryStatus(CallAs(token).get(), {}, &response);
  }
  grpc::Status ListParked(const std::string& token, const std::string& service) {
    breach::v1::ListParkedRequest request;
    request.set_service(service);
    breach::v1::ListParkedResponse response;
    return admin_->ListParked(CallAs(token).get(), request, &response);
  }
  grpc::Status RetryParked(const std::string& token, uint64_t position) {
    breach::v1::RetryParkedRequest request;
    request.set_position(position);
    breach::v1::RetryParkedResponse response;
    return admin_->RetryParked(CallAs(token).get(), request, &response);
  }
  grpc::Status ReadEvents(const std::string& token,
                          const std::function<void(breach::v1::ReadEventsRequest&)>& spoil) {
    breach::v1::ReadEventsRequest request;
    request.set_source("intake");
    spoil(request);
    auto feed = breach::v1::EventFeedService::NewStub(
        grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials()));
    auto context = CallAs(token);
    auto reader = feed->ReadEvents(context.get(), request);
    breach::v1::ReadEventsResponse ignored;
    while (reader->Read(&ignored)) {
    }
    return reader->Finish();
  }
  std::unique_ptr<grpc::ClientContext> Anonymous() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }

  // Every event each store appended after `since` (position per store).
  std::map<std::string, std::vector<breach::v1::EventEnvelope>> WrittenSince(
      const std::map<std::string, uint64_t>& since) {
    std::map<std::string, std::vector<breach::v1::EventEnvelope>> written;
    for (const auto& [service, position] : since) {
      EXPECT_THAT(suite_->store(service)->ReadAll(position + 1,
                                                  [&](const auto& event) -> absl::StatusOr<bool> {
                                                    written[service].push_back(event);
                                                    return true;
                                                  }),
                  IsOk());
    }
    return written;
  }
};

// One bad call to one RPC and what it must answer. `refusals` is how many AccessDenied events
// the call may record, per store; nothing else may be written.
struct BadCall {
  std::string name;
  std::function<grpc::Status(EveryRpcTest& test, const std::string& vespucci_breach)> call;
  grpc::StatusCode code;
  std::string message;  // a substring of the answer (the field, or the reason)
  std::map<std::string, int> refusals;
};

google::protobuf::Timestamp AtSeconds(int64_t seconds) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  return timestamp;
}

const std::vector<BadCall>& BadCalls() {
  using Form = breach::v1::BreachReport;
  static const auto* const calls = new std::vector<BadCall>{
      // IntakeService/ReportBreach
      {"ReportWithoutRequestId",
       [](EveryRpcTest& t, auto&) { return t.ReportAs(kVespucciDpoToken, "", [](Form&) {}); },
       grpc::StatusCode::INVALID_ARGUMENT, "request_id", {}},
      {"ReportWithOversizedRequestId",
       [](EveryRpcTest& t, auto&) {
         return t.ReportAs(kVespucciDpoToken, std::string(129, 'a'),
                                                       [](Form&) {});
       },
       grpc::StatusCode::INVALID_ARGUMENT, "request_id", {}},
      {"ReportWithMalformedRequestId",
       [](EveryRpcTest& t, auto&) { return t.ReportAs(kVespucciDpoToken, "a b/c", [](Form&) {}); },
       grpc::StatusCode::INVALID_ARGUMENT, "request_id", {}},
      {"ReportDiscoveredInYear9999",
       [](EveryRpcTest& t, auto&) {
         return t.Report([](Form& f) {
           *f.mutable_discovered_at() = AtSeconds(253402300799);
           *f.mutable_incident_at() = AtSeconds(253402300739);
         });
       },
       grpc::StatusCode::INVALID_ARGUMENT, "report.discovered_at is in the future", {}},
      {"ReportDiscoveredBefore2000",
       [](EveryRpcTest& t, auto&) {
         return t.Report([](Form& f) {
           *f.mutable_discovered_at() = AtSeconds(0);
           f.clear_incident_at();
         });
       },
       grpc::StatusCode::INVALID_ARGUMENT, "report.discovered_at is before", {}},
      {"ReportWithFormDateInYear9999",
       [](EveryRpcTest& t, auto&) {
         return t.Report(
             [](Form& f) { *f.mutable_form_date() = AtSeconds(253402300799); });
       },
       grpc::StatusCode::INVALID_ARGUMENT, "report.form_date", {}},
      {"ReportWithTooManyDataSubjects",
       [](EveryRpcTest& t, auto&) {
         return t.Report(
             [](Form& f) { f.set_approx_data_subjects(10'000'001); });
       },
       grpc::StatusCode::INVALID_ARGUMENT, "report.approx_data_subjects", {}},
      {"ReportLargerThanTheMessageLimit",
       [](EveryRpcTest& t, auto&) {
         return t.Report(
             [](Form& f) { f.set_description(std::string(5 << 20, 'x')); });
       },
       grpc::StatusCode::RESOURCE_EXHAUSTED, "", {}},
      {"ReportForAnotherSchool",
       [](EveryRpcTest& t, auto&) { return t.ReportAs(kGalileiDpoToken, "bad-1", [](Form&) {}); },
       grpc::StatusCode::PERMISSION_DENIED, "another school", {{"intake", 1}}},
      {"ReportForAnUnknownSchool",
       [](EveryRpcTest& t, auto&) {
         return t.ReportAs(kOperatorToken, "bad-1",
                                                       [](Form& f) { f.set_tenant("XXIS00000Z"); });
       },
       grpc::StatusCode::INVALID_ARGUMENT, "report.tenant", {}},
      {"ReportWithoutToken",
       [](EveryRpcTest& t, auto&) { return t.ReportAs("", "bad-1", [](Form&) {}); },
       grpc::StatusCode::UNAUTHENTICATED, "", {{"intake", 1}}},
      // IntakeService/GetReport
      {"GetReportWithoutId",
       [](EveryRpcTest& t, auto&) { return t.GetReport(kVespucciDpoToken, ""); },
       grpc::StatusCode::INVALID_ARGUMENT, "breach_id", {}},
      {"GetReportWithMalformedId",
       [](EveryRpcTest& t, auto&) {
         return t.GetReport(kVespucciDpoToken, std::string(300, '%'));
       },
       grpc::StatusCode::INVALID_ARGUMENT, "breach_id", {}},
      {"GetReportOfUnknownBreach",
       [](EveryRpcTest& t, auto&) { return t.GetReport(kVespucciDpoToken, kUnknownBreach); },
       grpc::StatusCode::NOT_FOUND, "no breach", {}},
      {"GetReportOfAnotherSchool",
       [](EveryRpcTest& t, auto& id) { return t.GetReport(kGalileiDpoToken, id); },
       grpc::StatusCode::NOT_FOUND, "no breach", {{"intake", 1}}},
      // IntakeService/Triage, AmendReport, AddAction, ListActions
      {"TriageWithoutVerdict",
       [](EveryRpcTest& t, auto& id) {
         return t.Triage(kVespucciDpoToken, id, breach::v1::TRIAGE_VERDICT_UNSPECIFIED);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "verdict", {}},
      {"TriageBreachWithoutAwareness",
       [](EveryRpcTest& t, auto& id) {
         return t.Triage(kVespucciDpoToken, id, breach::v1::TRIAGE_VERDICT_BREACH);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "aware_at", {}},
      {"TriageByStaff",
       [](EveryRpcTest& t, auto& id) {
         return t.Triage(kVespucciStaffToken, id, breach::v1::TRIAGE_VERDICT_NOT_A_BREACH);
       },
       grpc::StatusCode::PERMISSION_DENIED, "triage-breach", {{"intake", 1}}},
      {"TriageOfAnotherSchool",
       [](EveryRpcTest& t, auto& id) {
         return t.Triage(kGalileiDpoToken, id, breach::v1::TRIAGE_VERDICT_NOT_A_BREACH);
       },
       grpc::StatusCode::NOT_FOUND, "no breach", {{"intake", 1}}},
      {"AmendTheTenant",
       [](EveryRpcTest& t, auto& id) {
         breach::v1::AmendReportRequest request;
         request.set_breach_id(id);
         request.mutable_update_mask()->add_paths("tenant");
         request.mutable_report()->set_tenant(kGalilei);
         request.set_reason("sposta");
         return t.CallIntake(&breach::v1::IntakeService::Stub::AmendReport, kVespucciDpoToken,
                             request);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "tenant cannot be amended", {}},
      {"AmendWithoutReason",
       [](EveryRpcTest& t, auto& id) {
         breach::v1::AmendReportRequest request;
         request.set_breach_id(id);
         request.mutable_update_mask()->add_paths("place");
         request.mutable_report()->set_place("aula 4");
         return t.CallIntake(&breach::v1::IntakeService::Stub::AmendReport, kVespucciDpoToken,
                             request);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "reason", {}},
      {"AddActionWithoutRequestId",
       [](EveryRpcTest& t, auto& id) {
         return t.AddAction(kVespucciItToken, id, "", breach::v1::ACTION_STATUS_PLANNED);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "request_id", {}},
      {"AddDoneActionWithoutTime",
       [](EveryRpcTest& t, auto& id) {
         return t.AddAction(kVespucciItToken, id, "act-1", breach::v1::ACTION_STATUS_DONE);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "done_at", {}},
      {"ListActionsOfUnknownBreach",
       [](EveryRpcTest& t, auto&) {
         breach::v1::ListActionsRequest request;
         request.set_breach_id(kUnknownBreach);
         return t.CallIntake(&breach::v1::IntakeService::Stub::ListActions, kVespucciDpoToken,
                             request);
       },
       grpc::StatusCode::NOT_FOUND, "no breach", {}},
      // RegisterService/ListBreaches
      {"ListWithNegativePageSize",
       [](EveryRpcTest& t, auto&) {
         return t.ListBreaches(
             kVespucciDpoToken, [](auto& r) { r.set_page_size(-1); });
       },
       grpc::StatusCode::INVALID_ARGUMENT, "page_size", {}},
      {"ListWithNegativeYear",
       [](EveryRpcTest& t, auto&) {
         return t.ListBreaches(kVespucciDpoToken,
                                                           [](auto& r) { r.set_year(-2026); });
       },
       grpc::StatusCode::INVALID_ARGUMENT, "year", {}},
      {"ListWithYearBeforeTheRegister",
       [](EveryRpcTest& t, auto&) {
         return t.ListBreaches(kVespucciDpoToken, [](auto& r) { r.set_year(1999); });
       },
       grpc::StatusCode::INVALID_ARGUMENT, "year must be 0 (any) or between 2000 and 9999", {}},
      {"ListWithUnknownStatus",
       [](EveryRpcTest& t, auto&) {
         return t.ListBreaches(
             kVespucciDpoToken,
             [](auto& r) { r.set_status(static_cast<breach::v1::BreachStatus>(99)); });
       },
       grpc::StatusCode::INVALID_ARGUMENT, "status", {}},
      {"ListWithForgedPageToken",
       [](EveryRpcTest& t, auto&) {
         return t.ListBreaches(
             kVespucciDpoToken, [](auto& r) { r.set_page_token(std::string(5000, 'A')); });
       },
       grpc::StatusCode::INVALID_ARGUMENT, "page_token", {}},
      {"ListAnotherSchool",
       [](EveryRpcTest& t, auto&) {
         return t.ListBreaches(
             kGalileiDpoToken, [](auto& r) { r.set_tenant(kVespucci); });
       },
       grpc::StatusCode::PERMISSION_DENIED, "another school", {{"register", 1}}},
      {"ListWithoutTheDpoRole",
       [](EveryRpcTest& t, auto&) { return t.ListBreaches(kVespucciStaffToken, [](auto&) {}); },
       grpc::StatusCode::PERMISSION_DENIED, "school-dpo", {{"register", 1}}},
      // RegisterService/GetBreach and GetTimeline
      {"GetBreachWithMalformedId",
       [](EveryRpcTest& t, auto&) { return t.GetBreach(kVespucciDpoToken, "../x"); },
       grpc::StatusCode::INVALID_ARGUMENT, "breach_id", {}},
      {"GetBreachOfUnknownBreach",
       [](EveryRpcTest& t, auto&) { return t.GetBreach(kVespucciDpoToken, kUnknownBreach); },
       grpc::StatusCode::NOT_FOUND, "no breach", {}},
      {"GetBreachOfAnotherSchool",
       [](EveryRpcTest& t, auto& id) { return t.GetBreach(kGalileiDpoToken, id); },
       grpc::StatusCode::NOT_FOUND, "no breach", {{"register", 1}}},
      {"GetTimelineWithoutId",
       [](EveryRpcTest& t, auto&) { return t.GetTimeline(kVespucciDpoToken, ""); },
       grpc::StatusCode::INVALID_ARGUMENT, "breach_id", {}},
      {"GetTimelineOfAnotherSchool",
       [](EveryRpcTest& t, auto& id) { return t.GetTimeline(kGalileiDpoToken, id); },
       grpc::StatusCode::NOT_FOUND, "no breach", {{"register", 1}}},
      {"GetTimelineWithForgedToken",
       [](EveryRpcTest& t, auto& id) { return t.GetTimeline("forged", id); },
       grpc::StatusCode::UNAUTHENTICATED, "", {{"register", 1}}},
      // AdminService/VerifyChains and WhoAmI
      {"VerifyMalformedId",
       [](EveryRpcTest& t, auto&) { return t.Verify(kOperatorToken, "not-a-breach"); },
       grpc::StatusCode::INVALID_ARGUMENT, "breach_id", {}},
      {"VerifyUnknownBreach",
       [](EveryRpcTest& t, auto&) { return t.Verify(kVespucciDpoToken, kUnknownBreach); },
       grpc::StatusCode::NOT_FOUND, "no breach", {}},
      {"VerifyAnotherSchoolsBreach",
       [](EveryRpcTest& t, auto& id) { return t.Verify(kGalileiDpoToken, id); },
       grpc::StatusCode::NOT_FOUND, "no breach", {{"intake", 1}}},
      {"VerifyEveryStoreWithoutTheOperatorRole",
       [](EveryRpcTest& t, auto&) { return t.Verify(kVespucciDpoToken, ""); },
       grpc::StatusCode::PERMISSION_DENIED, "provider-operator", {{"intake", 1}, {"register", 1}}},
      {"WhoAmIWithoutToken",
       [](EveryRpcTest& test, auto&) {
         return test.WhoAmI(test.Anonymous());
       },
       grpc::StatusCode::UNAUTHENTICATED, "", {{"intake", 1}}},
      {"WhoAmIWithTwoTokens",
       [](EveryRpcTest& test, auto&) {
         auto context = test.Anonymous();
         context->AddMetadata("authorization", std::string("Bearer ") + kVespucciDpoToken);
         context->AddMetadata("authorization", std::string("Bearer ") + kOperatorToken);
         return test.WhoAmI(std::move(context));
       },
       grpc::StatusCode::UNAUTHENTICATED, "more than one authorization header", {{"intake", 1}}},
      // AdminService/GetDeliveryStatus, ListParked, RetryParked: provider operators only
      {"DeliveryStatusAsASchool",
       [](EveryRpcTest& t, auto&) { return t.DeliveryStatus(kVespucciDpoToken); },
       grpc::StatusCode::PERMISSION_DENIED, "provider-operator", {{"intake", 1}}},
      {"ListParkedAsASchool",
       [](EveryRpcTest& t, auto&) { return t.ListParked(kVespucciDpoToken, ""); },
       grpc::StatusCode::PERMISSION_DENIED, "provider-operator", {{"intake", 1}}},
      {"ListParkedOfAStoreNotHosted",
       [](EveryRpcTest& t, auto&) { return t.ListParked(kOperatorToken, "billing"); },
       grpc::StatusCode::NOT_FOUND, "billing", {}},
      {"RetryParkedWithoutPosition",
       [](EveryRpcTest& t, auto&) { return t.RetryParked(kOperatorToken, 0); },
       grpc::StatusCode::INVALID_ARGUMENT, "position", {}},
      {"RetryParkedOfAPositionNotParked",
       [](EveryRpcTest& t, auto&) { return t.RetryParked(kOperatorToken, 1); },
       grpc::StatusCode::NOT_FOUND, "not parked", {}},
      // EventFeedService/ReadEvents: services and provider operators only
      {"ReadEventsAsASchool",
       [](EveryRpcTest& t, auto&) { return t.ReadEvents(kVespucciDpoToken, [](auto&) {}); },
       grpc::StatusCode::PERMISSION_DENIED, "read-event-feed", {{"intake", 1}}},
      {"ReadEventsOfAStoreNotHosted",
       [](EveryRpcTest& t, auto&) {
         return t.ReadEvents(kServiceToken, [](auto& r) { r.set_source("billing"); });
       },
       grpc::StatusCode::INVALID_ARGUMENT, "source", {}},
      {"ReadEventsWithAnOversizedBatch",
       [](EveryRpcTest& t, auto&) {
         return t.ReadEvents(kServiceToken, [](auto& r) { r.set_batch_size(1001); });
       },
       grpc::StatusCode::INVALID_ARGUMENT, "batch_size", {}},
      {"ReadEventsWithANegativeBatch",
       [](EveryRpcTest& t, auto&) {
         return t.ReadEvents(kServiceToken, [](auto& r) { r.set_batch_size(-1); });
       },
       grpc::StatusCode::INVALID_ARGUMENT, "batch_size", {}},
      {"ReadEventsWithoutToken",
       [](EveryRpcTest& t, auto&) { return t.ReadEvents("", [](auto&) {}); },
       grpc::StatusCode::UNAUTHENTICATED, "", {{"intake", 1}}},
  };
  return *calls;
}

TEST_F(EveryRpcTest, BadCallsAreRefusedAndWriteNothingButTheirRefusal) {
  const std::string breach_id =
      File(kVespucciDpoToken, LostLaptopReport(kVespucci), "good-1").breach_id();
  ASSERT_TRUE(RegisterHolds(1));
  for (const BadCall& bad : BadCalls()) {
    SCOPED_TRACE(bad.name);
    const std::map<std::string, uint64_t> before = {
        {"intake", suite_->store("intake")->LastPosition()},
        {"register", suite_->store("register")->LastPosition()}};
    const grpc::Status status = bad.call(*this, breach_id);
    EXPECT_EQ(status.error_code(), bad.code) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(bad.message));
    auto written = WrittenSince(before);
    for (const auto& [service, position] : before) {
      const auto& events = written[service];
      EXPECT_THAT(events, SizeIs(bad.refusals.count(service) ? bad.refusals.at(service) : 0))
          << service;
      for (const auto& event : events) EXPECT_EQ(event.type(), "breach.v1.AccessDenied");
    }
  }
}

TEST_F(SuiteTest, RestartedSuiteIsWholeAndAppliesNothingTwice) {
  const breach::v1::Report report = File(kVespucciDpoToken, LostLaptopReport(kVespucci), "r-1");
  ASSERT_TRUE(RegisterHolds(1));
  suite_->Stop();
  suite_.reset();
  StartSuite();  // a new, empty embedded bus: the register catches up from the stores
  File(kVespucciDpoToken, LostLaptopReport(kVespucci), "r-2");
  ASSERT_TRUE(RegisterHolds(2));

  breach::v1::GetBreachRequest get;
  get.set_breach_id(report.breach_id());
  breach::v1::RegisterEntry entry;
  ASSERT_TRUE(register_->GetBreach(CallAs(kVespucciDpoToken).get(), get, &entry).ok());
  EXPECT_EQ(entry.events(), 1u);  // BreachReported applied once, whatever path brought it

  breach::v1::VerifyChainsResponse verified;
  ASSERT_TRUE(admin_->VerifyChains(CallAs(kOperatorToken).get(), {}, &verified).ok());
  EXPECT_TRUE(verified.ok());
}

// One instance of a partitioned intake (docs/scaling.md), the home of partitions 1 and 4 of the
// embedded bus's 6, with no fellow up: it files the reports whose request id it is the home of,
// with ids in its partitions; anything about another partition answers UNAVAILABLE, never
// NOT_FOUND; a partition the topic lacks stops the start.
class PartitionedIntakeTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::unique_ptr<suite::Suite>> Start(std::vector<int32_t> home) {
    suite::SuiteConfig config;
    config.services = {"intake"};
    config.partitioned = {"intake"};
    config.home_partitions = std::move(home);
    config.listen = "127.0.0.1:0";
    config.transport = grpcutil::InsecureTransport();
    config.dev_identity = true;
    config.data_dir = scratch_->path();
    config.kafka = "embedded";
    return suite::Suite::Start(config);
  }

  static bool AtHome(const std::string& key) {
    const int32_t partition = bus::PartitionOfKey(key, 6);
    return partition == 1 || partition == 4;
  }

  std::unique_ptr<ScratchDir> scratch_ = TestFolderWithIdentity();
};

TEST_F(PartitionedIntakeTest, FilesWhatItIsTheHomeOfAndNeverAnswersNotFoundForTheRest) {
  ASSERT_OK_AND_ASSIGN(auto suite, Start({1, 4}));
  auto intake = breach::v1::IntakeService::NewStub(
      grpc::CreateChannel(suite->endpoint(), grpc::InsecureChannelCredentials()));
  int filed = 0;
  int refused = 0;
  for (int i = 0; i < 12; ++i) {
    breach::v1::ReportBreachRequest request;
    request.set_request_id(absl::StrCat("r-", i));
    *request.mutable_report() = LostLaptopReport(kVespucci);
    breach::v1::Report report;
    const grpc::Status status =
        intake->ReportBreach(CallAs(kVespucciDpoToken).get(), request, &report);
    if (AtHome(absl::StrCat("idempotency/", kVespucci, "/", request.request_id()))) {
      ASSERT_TRUE(status.ok()) << status.error_message();
      EXPECT_TRUE(AtHome(report.breach_id())) << report.breach_id();
      ++filed;
    } else {
      // Its home (another instance) is not reachable: it may hold a first attempt.
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
      ++refused;
    }
  }
  EXPECT_GT(filed, 0);
  EXPECT_GT(refused, 0);
  // An unknown breach of its partitions is NOT_FOUND; one of another's is UNAVAILABLE.
  for (int i = 0; i < 100; ++i) {
    const std::string id = absl::StrCat("01JQ00000000000000000000", i / 10, i % 10);
    breach::v1::GetReportRequest get;
    get.set_breach_id(id);
    breach::v1::Report report;
    const grpc::Status status = intake->GetReport(CallAs(kVespucciDpoToken).get(), get, &report);
    EXPECT_EQ(status.error_code(),
              AtHome(id) ? grpc::StatusCode::NOT_FOUND : grpc::StatusCode::UNAVAILABLE)
        << id << ": " << status.error_message();
  }
}

TEST_F(PartitionedIntakeTest, APartitionTheTopicLacksStopsTheStart) {
  EXPECT_THAT(Start({1, 6}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--home_partitions: partition 6 is not one of")));
}

}  // namespace
}  // namespace breachd
