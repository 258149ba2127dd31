// The metrics endpoint answers a plain HTTP GET with what was recorded: RPC counts by method and
// code, append latencies, health, and the delivery status sampled at scrape time.
#include "libs/metrics/metrics.h"

#include <map>

#include "breach/v1/admin.pb.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/metrics/testing/scrape.h"

namespace breachd::metrics {
namespace {

using ::breachd::metrics::testing::Scrape;
using ::breachd::metrics::testing::SampleValue;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

TEST(MetricsTest, ServesWhatWasRecordedOnAFreePort) {
  ASSERT_OK_AND_ASSIGN(auto metrics, Metrics::Start("127.0.0.1:0"));
  ASSERT_GT(metrics->port(), 0);
  RpcInstruments elsewhere(std::make_shared<prometheus::Registry>());  // a registry of its own
  elsewhere.Record("/x.Y/Z", grpc::StatusCode::OK, absl::Milliseconds(3));
  metrics->AppendObserverFor("intake")(absl::Milliseconds(2));
  metrics->SetServing("breach.v1.IntakeService", false);

  ASSERT_OK_AND_ASSIGN(std::string text, Scrape(metrics->port()));
  EXPECT_THAT(SampleValue(text, "breachd_store_append_duration_seconds_count", {{"service", "intake"}}),
              Optional(1.0));
  EXPECT_THAT(SampleValue(text, "breachd_service_serving", {{"service", "breach.v1.IntakeService"}}),
              Optional(0.0));
  // Only the metrics' own registry is served.
  EXPECT_EQ(SampleValue(text, "breachd_rpc_total", {{"method", "/x.Y/Z"}}), std::nullopt);
}

TEST(MetricsTest, RecordsRpcsByMethodAndCode) {
  auto registry = std::make_shared<prometheus::Registry>();
  RpcInstruments instruments(registry);
  instruments.Record("/breach.v1.IntakeService/ReportBreach", grpc::StatusCode::OK,
                     absl::Milliseconds(4));
  instruments.Record("/breach.v1.IntakeService/ReportBreach", grpc::StatusCode::OK,
                     absl::Milliseconds(6));
  instruments.Record("/breach.v1.IntakeService/ReportBreach", grpc::StatusCode::INVALID_ARGUMENT,
                     absl::Milliseconds(1));
  double ok = 0, invalid = 0;
  uint64_t observed = 0;
  for (const prometheus::MetricFamily& family : registry->Collect()) {
    for (const prometheus::ClientMetric& metric : family.metric) {
      const bool is_ok = metric.label.at(0).value == "OK";  // labels sorted: code, method
      if (family.name == "breachd_rpc_total") (is_ok ? ok : invalid) = metric.counter.value;
      if (family.name == "breachd_rpc_duration_seconds") observed += metric.histogram.sample_count;
    }
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(invalid, 1);
  EXPECT_EQ(observed, 3u);
}

TEST(MetricsTest, MethodsThisBinaryDoesNotKnowShareOneLabel) {
  EXPECT_EQ(MethodLabel("/breach.v1.AdminService/WhoAmI"), "/breach.v1.AdminService/WhoAmI");
  EXPECT_EQ(MethodLabel("/no.Such/Method"), kUnknownMethod);
  EXPECT_EQ(MethodLabel("/breach.v1.AdminService/NoSuchMethod"), kUnknownMethod);
  EXPECT_EQ(MethodLabel(""), kUnknownMethod);
}

TEST(MetricsTest, StatusCodeNamesAreTheCanonicalOnes) {
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::PERMISSION_DENIED), "PERMISSION_DENIED");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::UNAVAILABLE), "UNAVAILABLE");
}

TEST(MetricsTest, SamplesDeliveryOnEveryScrape) {
  ASSERT_OK_AND_ASSIGN(auto metrics, Metrics::Start("127.0.0.1:0"));
  uint64_t pending = 3;
  metrics->SampleDeliveryWith([&pending](breach::v1::GetDeliveryStatusResponse* status) {
    breach::v1::OutboxDelivery* outbox = status->add_outboxes();
    outbox->set_service("intake");
    outbox->set_pending(pending);
    outbox->set_published(10);
    outbox->set_parked(1);
    breach::v1::SourceDelivery* source = status->add_sources();
    source->set_consumer("register");
    source->set_source("intake");
    source->set_applied_through(7);
    source->set_source_head(9);
    source->set_lag(2);
    source->set_gaps_repaired(1);
    return absl::OkStatus();
  });
  ASSERT_OK_AND_ASSIGN(std::string first, Scrape(metrics->port()));
  EXPECT_THAT(SampleValue(first, "breachd_outbox_pending", {{"service", "intake"}}), Optional(3.0));
  EXPECT_THAT(SampleValue(first, "breachd_relay_published_total", {{"service", "intake"}}),
              Optional(10.0));
  EXPECT_THAT(SampleValue(first, "breachd_relay_parked_total", {{"service", "intake"}}),
              Optional(1.0));
  EXPECT_THAT(SampleValue(first, "breachd_consumer_lag_events",
                          {{"consumer", "register"}, {"source", "intake"}}),
              Optional(2.0));
  EXPECT_THAT(SampleValue(first, "breachd_consumer_gaps_repaired_total", {{"source", "intake"}}),
              Optional(1.0));
  EXPECT_THAT(SampleValue(first, "breachd_consumer_parked_events", {{"consumer", "register"}}),
              Optional(0.0));
  pending = 0;
  ASSERT_OK_AND_ASSIGN(std::string second, Scrape(metrics->port()));
  EXPECT_THAT(SampleValue(second, "breachd_outbox_pending", {{"service", "intake"}}), Optional(0.0));
}

TEST(MetricsTest, EachSiemRelayShowsItsPublishedErrorsAndLag) {
  ASSERT_OK_AND_ASSIGN(auto metrics, Metrics::Start("127.0.0.1:0"));
  metrics->SampleDeliveryWith([](breach::v1::GetDeliveryStatusResponse* status) {
    breach::v1::SiemDelivery* feed = status->add_siem();
    feed->set_service("register");
    feed->set_sink("syslog");
    feed->set_published(40);
    feed->set_errors(2);
    feed->set_delivered_through(40);
    feed->set_store_head(45);
    return absl::OkStatus();
  });
  ASSERT_OK_AND_ASSIGN(std::string text, Scrape(metrics->port()));
  const std::map<std::string, std::string> labels = {{"service", "register"}, {"sink", "syslog"}};
  EXPECT_THAT(SampleValue(text, "breachd_siem_published_total", labels), Optional(40.0));
  EXPECT_THAT(SampleValue(text, "breachd_siem_errors_total", labels), Optional(2.0));
  EXPECT_THAT(SampleValue(text, "breachd_siem_lag_events", labels), Optional(5.0));
}

TEST(MetricsTest, AFailedSampleIsCountedAndTheScrapeStillAnswers) {
  ASSERT_OK_AND_ASSIGN(auto metrics, Metrics::Start("127.0.0.1:0"));
  metrics->SampleDeliveryWith([](breach::v1::GetDeliveryStatusResponse*) {
    return absl::UnavailableError("store closed");
  });
  ASSERT_OK_AND_ASSIGN(std::string text, Scrape(metrics->port()));
  EXPECT_THAT(SampleValue(text, "breachd_delivery_sample_errors_total"), Optional(1.0));
  EXPECT_THAT(text, HasSubstr("# HELP breachd_delivery_sample_errors_total"));
}

TEST(MetricsTest, AnAddressInUseIsUnavailable) {
  ASSERT_OK_AND_ASSIGN(auto first, Metrics::Start("127.0.0.1:0"));
  auto second = Metrics::Start("127.0.0.1:" + std::to_string(first->port()));
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("cannot serve metrics")));
}

}  // namespace
}  // namespace breachd::metrics
