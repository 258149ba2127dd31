// SubmitAssessment through gRPC with the store's durable append, offered at a fixed rate
// (default 200/s) to one all-in-one breachd (embedded bus), and the engine's share of it: the
// same assessment evaluated by libs/regulation alone. Figures go in docs/benchmarks.md.
//
//   build/bin/submit_assessment_bench [--rate=200] [--duration_s=10]
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/latency/latency_summary.h"
#include "breach/v1/assessment_service.grpc.pb.h"
#include "breach/v1/intake.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/create_channel.h"
#include "libs/common/time_zone.h"
#include "libs/regulation/engine.h"
#include "libs/regulation/regime_loader.h"
#include "libs/regulation/template_loader.h"
#include "services/breachd/suite.h"
#include "tests/testing/fixtures.h"

ABSL_FLAG(double, rate, 200, "SubmitAssessment calls per second");
ABSL_FLAG(double, duration_s, 10, "measured seconds");

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: fixtures
using bench::FormatSummary;
using bench::LatencySummary;
using bench::Summarize;

const std::string kSource = BREACHD_SOURCE_DIR;

breach::v1::RiskAssessment Example() {
  std::stringstream json;
  json << std::ifstream(kSource + "/docs/examples/assess-lost-laptop.json").rdbuf();
  breach::v1::RiskAssessment assessment;
  if (!google::protobuf::util::JsonStringToMessage(json.str(), &assessment).ok()) std::abort();
  return assessment;
}

// Files and triages `count` breaches, then waits until the assessment service knows them all.
std::vector<std::string> TriagedBreaches(const std::shared_ptr<grpc::Channel>& channel, int count) {
  auto intake = breach::v1::IntakeService::NewStub(channel);
  auto assessment = breach::v1::AssessmentService::NewStub(channel);
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    breach::v1::ReportBreachRequest report;
    report.set_request_id(absl::StrCat("bench-", i));
    *report.mutable_report() = LostLaptopReport(kVespucci);
    breach::v1::Report filed;
    if (!intake->ReportBreach(CallAs(kVespucciStaffToken).get(), report, &filed).ok()) std::abort();
    breach::v1::TriageRequest triage;
    triage.set_breach_id(filed.breach_id());
    triage.set_verdict(breach::v1::TRIAGE_VERDICT_BREACH);
    triage.set_reason("bench");
    *triage.mutable_aware_at() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
        absl::ToUnixNanos(absl::Now() - absl::Hours(1)));
    if (!intake->Triage(CallAs(kVespucciHeadToken).get(), triage, &filed).ok()) std::abort();
    ids.push_back(filed.breach_id());
  }
  // The last one known as triaged means the bus brought them all (one partition order aside).
  WaitUntil([&] {
    breach::v1::GetAssessmentRequest get;
    get.set_breach_id(ids.back());
    breach::v1::AssessmentVersion ignored;
    const grpc::Status status =
        assessment->GetAssessment(CallAs(kVespucciDpoToken).get(), get, &ignored);
    return status.error_code() == grpc::StatusCode::NOT_FOUND &&
           status.error_message().find("has no assessment") != std::string::npos;
  }, absl::Seconds(120));
  return ids;
}

int Run() {
  ScratchDir scratch("submit_assessment_bench");
  WriteTwoSchoolIdentity(scratch.path() + "/identity.json");
  suite::SuiteConfig config;
  config.services = {"intake", "assessment", "register"};
  config.listen = "127.0.0.1:0";
  config.data_dir = scratch.path();
  config.regimes_dir = kSource + "/regimes";
  config.templates_dir = kSource + "/templates";
  config.transport = grpcutil::InsecureTransport();  // the figure is the service's, not TLS's
  auto suite = suite::Suite::Start(config);
  if (!suite.ok()) {
    std::fprintf(stderr, "suite: %s\n", suite.status().ToString().c_str());
    return 1;
  }
  const double rate = absl::GetFlag(FLAGS_rate);
  const int calls = static_cast<int>(rate * absl::GetFlag(FLAGS_duration_s));
  auto channel = grpc::CreateChannel((*suite)->endpoint(), grpc::InsecureChannelCredentials());
  // Every call assesses its own breach (a first version), as schools would.
  const std::vector<std::string> ids = TriagedBreaches(channel, calls);
  const breach::v1::RiskAssessment example = Example();

  // Open loop: call i starts at start + i / rate on one of a few client threads, whatever the
  // earlier calls are doing; latency counts from the scheduled start.
  std::vector<double> rpc_ms;
  absl::Mutex mu;
  int failed = 0;
  const absl::Time start = absl::Now() + absl::Milliseconds(100);
  const int threads = 8;
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&, t] {
      auto stub = breach::v1::AssessmentService::NewStub(channel);
      for (int i = t; i < calls; i += threads) {
        const absl::Time scheduled = start + absl::Seconds(i / rate);
        absl::SleepFor(scheduled - absl::Now());
        breach::v1::SubmitAssessmentRequest request;
        request.set_breach_id(ids[i]);
        request.set_request_id(absl::StrCat("submit-", i));
        *request.mutable_assessment() = example;
        breach::v1::AssessmentVersion version;
        const grpc::Status status =
            stub->SubmitAssessment(CallAs(kVespucciDpoToken).get(), request, &version);
        const double ms = absl::ToDoubleMilliseconds(absl::Now() - scheduled);
        absl::MutexLock lock(&mu);
        if (status.ok()) {
          rpc_ms.push_back(ms);
        } else {
          ++failed;
        }
      }
    });
  }
  for (auto& client : clients) client.join();

  // The engine alone, on the same input, at the same moment.
  auto regimes = regulation::LoadRegimeDirectory(config.regimes_dir);
  auto templates = regulation::LoadTemplateDirectory(config.templates_dir);
  auto zone = LoadNamedTimeZone("Europe/Rome");
  auto engine = regulation::RegulationEngine::Create(*std::move(regimes), *std::move(templates), *zone);
  breach::v1::RiskAssessment bound = example;
  *bound.mutable_awareness_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(absl::Now() - absl::Hours(1)));
  regulation::EvaluateOptions options;
  options.drafts = false;  // as the service evaluates
  std::vector<double> engine_ms;
  for (int i = 0; i < 2000; ++i) {
    const absl::Time before = absl::Now();
    if (!engine->Evaluate(bound, absl::Now(), options).ok()) std::abort();
    engine_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - before));
  }

  const LatencySummary rpc = Summarize(rpc_ms);
  const LatencySummary alone = Summarize(engine_ms);
  std::printf("SubmitAssessment, all-in-one breachd, embedded bus, offered %.0f/s for %.0f s\n",
              rate, absl::GetFlag(FLAGS_duration_s));
  std::printf("  rpc (durable append):  %s\n", FormatSummary(rpc).c_str());
  std::printf("  failed:                %d\n", failed);
  std::printf("  engine alone:          %s\n", FormatSummary(alone).c_str());
  std::printf("  engine share of p50:   %.1f%%\n", rpc.p50_ms > 0 ? 100 * alone.p50_ms / rpc.p50_ms : 0);
  (*suite)->Stop();
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace breachd

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return breachd::Run();
}
