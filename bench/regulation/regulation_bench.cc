// One full evaluation of the regulatory engine (validation, severity, duties, deadlines and,
// optionally, the four drafts), and a provider-wide incident of 10,000 schools.
//
//   build/bench/regulation_bench --benchmark_min_time=1
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/util/json_util.h"
#include "libs/regulation/engine.h"
#include "libs/regulation/file_reading.h"
#include "libs/regulation/regime_loader.h"
#include "libs/regulation/template_loader.h"

namespace breachd::regulation {
namespace {

std::string SourcePath(const std::string& relative) {
  return std::string(BREACHD_SOURCE_DIR) + "/" + relative;
}

const RegulationEngine& Engine() {
  static const RegulationEngine* engine = [] {
    absl::TimeZone zone;
    if (!absl::LoadTimeZone("Europe/Rome", &zone)) std::abort();
    auto created = RegulationEngine::Create(*LoadRegimeDirectory(SourcePath("regimes")),
                                            *LoadTemplateDirectory(SourcePath("templates")), zone);
    if (!created.ok()) std::abort();
    return new RegulationEngine(*std::move(created));
  }();
  return *engine;
}

breach::v1::RiskAssessment Example(const std::string& name) {
  breach::v1::RiskAssessment assessment;
  const auto json = ReadWholeFile(SourcePath("docs/examples/assessment-" + name + ".json"));
  if (!json.ok() || !google::protobuf::util::JsonStringToMessage(*json, &assessment).ok()) {
    std::abort();
  }
  return assessment;
}

const absl::Time kNow = absl::FromUnixSeconds(1789552800);  // 2026-09-16

void BM_Evaluate(benchmark::State& state, const std::string& example, bool drafts) {
  const RegulationEngine& engine = Engine();
  const auto assessment = Example(example);
  for (auto _ : state) {
    auto result = engine.Evaluate(assessment, kNow, EvaluateOptions{.drafts = drafts});
    if (!result.ok()) state.SkipWithError("evaluation failed");
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK_CAPTURE(BM_Evaluate, lost_laptop_no_drafts, std::string("lost-laptop-health-data"), false);
BENCHMARK_CAPTURE(BM_Evaluate, lost_laptop_with_drafts, std::string("lost-laptop-health-data"), true);
BENCHMARK_CAPTURE(BM_Evaluate, provider_all_regimes_no_drafts,
                  std::string("provider-misconfigured-access"), false);
BENCHMARK_CAPTURE(BM_Evaluate, provider_all_regimes_with_drafts,
                  std::string("provider-misconfigured-access"), true);

// The same into one reused message, as a service evaluating many cases would.
void BM_EvaluateInto(benchmark::State& state, const std::string& example, bool drafts) {
  const RegulationEngine& engine = Engine();
  const auto assessment = Example(example);
  breach::v1::AssessmentResult result;
  for (auto _ : state) {
    if (!engine.EvaluateInto(assessment, kNow, EvaluateOptions{.drafts = drafts}, &result).ok()) {
      state.SkipWithError("evaluation failed");
    }
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK_CAPTURE(BM_EvaluateInto, lost_laptop_no_drafts, std::string("lost-laptop-health-data"),
                  false);
BENCHMARK_CAPTURE(BM_EvaluateInto, lost_laptop_with_drafts, std::string("lost-laptop-health-data"),
                  true);
BENCHMARK_CAPTURE(BM_EvaluateInto, provider_all_regimes_no_drafts,
                  std::string("provider-misconfigured-access"), false);
BENCHMARK_CAPTURE(BM_EvaluateInto, provider_all_regimes_with_drafts,
                  std::string("provider-misconfigured-access"), true);

// A fresh result on a protobuf Arena per evaluation, as a gRPC handler would: the messages are
// carved from the arena and freed at once instead of one by one.
void BM_EvaluateOnArena(benchmark::State& state, const std::string& example, bool drafts) {
  const RegulationEngine& engine = Engine();
  const auto assessment = Example(example);
  std::vector<char> block(64 << 10);
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = block.data();
  arena_options.initial_block_size = block.size();
  for (auto _ : state) {
    google::protobuf::Arena arena(arena_options);
    auto* result = google::protobuf::Arena::CreateMessage<breach::v1::AssessmentResult>(&arena);
    if (!engine.EvaluateInto(assessment, kNow, EvaluateOptions{.drafts = drafts}, result).ok()) {
      state.SkipWithError("evaluation failed");
    }
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK_CAPTURE(BM_EvaluateOnArena, lost_laptop_with_drafts,
                  std::string("lost-laptop-health-data"), true);
BENCHMARK_CAPTURE(BM_EvaluateOnArena, provider_all_regimes_with_drafts,
                  std::string("provider-misconfigured-access"), true);

// A provider-wide incident: the same facts assessed for 10,000 schools, each its own case.
void BM_ProviderWideIncident(benchmark::State& state) {
  const RegulationEngine& engine = Engine();
  std::vector<breach::v1::RiskAssessment> schools(10000, Example("provider-misconfigured-access"));
  for (size_t i = 0; i < schools.size(); ++i) schools[i].set_tenant("SCHOOL" + std::to_string(i));
  const EvaluateOptions options{.drafts = state.range(0) != 0};
  breach::v1::AssessmentResult result;
  for (auto _ : state) {
    for (const auto& school : schools) {
      if (!engine.EvaluateInto(school, kNow, options, &result).ok()) std::abort();
      benchmark::DoNotOptimize(result);
    }
  }
  state.SetItemsProcessed(state.iterations() * schools.size());
}
BENCHMARK(BM_ProviderWideIncident)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace breachd::regulation

BENCHMARK_MAIN();
