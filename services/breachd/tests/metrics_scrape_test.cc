// A whole suite with its Prometheus endpoint, scraped with a plain HTTP client (libcurl): an RPC
// moves its counter under its method and code, a report shows as an append and reaches the
// register (relay published, consumer caught up), and health is reported per service.
#include <memory>

#include "breach/v1/admin.grpc.pb.h"
#include "breach/v1/intake.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/metrics/testing/scrape.h"
#include "services/breachd/suite.h"
#include "tests/testing/fixtures.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::breachd::metrics::testing::SampleValue;
using ::testing::Optional;

class MetricsScrapeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<ScratchDir>("metrics_scrape");
    WriteTwoSchoolIdentity(scratch_->path() + "/identity.json");
    suite::SuiteConfig config;
    config.services = {"intake", "notification", "register"};
    config.listen = "127.0.0.1:0";
    config.metrics_listen = "127.0.0.1:0";
    config.data_dir = scratch_->path();
    config.kafka = "embedded";
    config.transport = grpcutil::InsecureTransport();  // TLS: tls_handshake_test.cc
    ASSERT_OK_AND_ASSIGN(suite_, suite::Suite::Start(config));
    auto channel = grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials());
    intake_ = breach::v1::IntakeService::NewStub(channel);
    admin_ = breach::v1::AdminService::NewStub(channel);
    ASSERT_OK_AND_ASSIGN(metrics_port_, PortOf(suite_->metrics_endpoint()));
  }

  static absl::StatusOr<int> PortOf(const std::string& endpoint) {
    if (endpoint.empty()) return absl::NotFoundError("no metrics endpoint");
    return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
  }

  std::string Scrape() {
    auto text = metrics::testing::Scrape(metrics_port_);
    EXPECT_TRUE(text.ok()) << text.status();
    return text.value_or("");
  }

  grpc::ClientContext* As(grpc::ClientContext& context, const std::string& token) {
    context.AddMetadata("authorization", "Bearer " + token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return &context;
  }

  double Calls(const std::string& text, const std::string& method, const std::string& code) {
    return SampleValue(text, "breachd_rpc_total", {{"method", method}, {"code", code}})
        .value_or(0);
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::unique_ptr<suite::Suite> suite_;
  std::unique_ptr<breach::v1::IntakeService::Stub> intake_;
  std::unique_ptr<breach::v1::AdminService::Stub> admin_;
  int metrics_port_ = 0;
};

TEST_F(MetricsScrapeTest, ARpcMovesItsCounterByMethodAndCode) {
  constexpr char kWhoAmI[] = "/breach.v1.AdminService/WhoAmI";
  const double ok_before = Calls(Scrape(), kWhoAmI, "OK");
  const double refused_before = Calls(Scrape(), kWhoAmI, "UNAUTHENTICATED");

  breach::v1::WhoAmIResponse me;
  grpc::ClientContext known, unknown;
  ASSERT_TRUE(admin_->WhoAmI(As(known, kOperatorToken), {}, &me).ok());
  EXPECT_EQ(admin_->WhoAmI(As(unknown, "no-such-token"), {}, &me).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  const std::string after = Scrape();
  EXPECT_EQ(Calls(after, kWhoAmI, "OK"), ok_before + 1);
  EXPECT_EQ(Calls(after, kWhoAmI, "UNAUTHENTICATED"), refused_before + 1);
  EXPECT_THAT(SampleValue(after, "breachd_rpc_duration_seconds_count",
                          {{"method", kWhoAmI}, {"code", "OK"}}),
              Optional(ok_before + 1));
  EXPECT_THAT(SampleValue(after, "breachd_service_serving", {{"service", "breach.v1.IntakeService"}}),
              Optional(1.0));
}

TEST_F(MetricsScrapeTest, AReportIsAnAppendThatTheRelayPublishesAndTheRegisterApplies) {
  breach::v1::ReportBreachRequest request;
  request.set_request_id("metrics-1");
  *request.mutable_report() = LostLaptopReport(kVespucci);
  breach::v1::Report report;
  grpc::ClientContext context;
  ASSERT_TRUE(intake_->ReportBreach(As(context, kVespucciStaffToken), request, &report).ok());

  const std::string text = Scrape();
  EXPECT_THAT(SampleValue(text, "breachd_store_append_duration_seconds_count", {{"service", "intake"}}),
              Optional(::testing::Ge(1.0)));
  EXPECT_TRUE(WaitUntil([&] {
    const std::string now = Scrape();
    return SampleValue(now, "breachd_relay_published_total", {{"service", "intake"}})
                   .value_or(0) >= 1 &&
           SampleValue(now, "breachd_outbox_pending", {{"service", "intake"}}) == 0.0 &&
           SampleValue(now, "breachd_consumer_lag_events",
                       {{"consumer", "register"}, {"source", "intake"}}) == 0.0 &&
           SampleValue(now, "breachd_consumer_applied_through",
                       {{"consumer", "register"}, {"source", "intake"}})
                   .value_or(0) >= 1;
  }));
}

TEST_F(MetricsScrapeTest, AJudgedBreachIsAnOpenDeadlineOfItsSchool) {
  breach::v1::ReportBreachRequest request;
  request.set_request_id("metrics-2");
  *request.mutable_report() = LostLaptopReport(kVespucci);
  breach::v1::Report report;
  grpc::ClientContext reported;
  ASSERT_TRUE(intake_->ReportBreach(As(reported, kVespucciStaffToken), request, &report).ok());
  breach::v1::TriageRequest triage;
  triage.set_breach_id(report.breach_id());
  triage.set_verdict(breach::v1::TRIAGE_VERDICT_BREACH);
  triage.set_reason("Portatile non cifrato");
  triage.set_evidence("Denuncia");
  triage.mutable_aware_at()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 3600);
  grpc::ClientContext triaged;
  ASSERT_TRUE(intake_->Triage(As(triaged, kVespucciHeadToken), triage, &report).ok());
  // The notification service hears of the verdict over the bus and arms the Garante's clock.
  EXPECT_TRUE(WaitUntil([&] {
    const std::string now = Scrape();
    return SampleValue(now, "breachd_deadlines_open",
                       {{"tenant", kVespucci}, {"duty", "authority"}}) == 1.0 &&
           SampleValue(now, "breachd_deadlines_overdue",
                       {{"tenant", kVespucci}, {"duty", "authority"}}) == 0.0;
  }));
}

}  // namespace
}  // namespace breachd
