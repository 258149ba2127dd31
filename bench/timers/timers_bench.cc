// One sweep of 10,000 armed, due durable timers: read them (DueTimers), then append one event per
// timer with its FireTimer rows, `per_append` timers per synced EventStore::Append.
//
//   build/bench/timers_bench
//
// The store lives under $TEST_TMPDIR (default: the system temp dir), which must be on a real
// disk: on tmpfs fsync is free and the figure means nothing.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/timers/durable_timers.h"
#include "libs/timers/testing/fire_timers.h"

namespace breachd::timers {
namespace {

constexpr int kTimers = 10000;
const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01Z

void Check(const absl::Status& status, benchmark::State& state) {
  if (!status.ok()) state.SkipWithError(status.ToString().c_str());
}

void BM_SweepTenThousandDueTimers(benchmark::State& state) {
  const size_t per_append = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    auto dir = std::make_unique<::breachd::testing::ScratchDir>("timers-bench");
    auto opened = eventstore::EventStore::Open(dir->path());  // sync on: the default
    if (!opened.ok()) return Check(opened.status(), state);
    std::unique_ptr<eventstore::EventStore> store = *std::move(opened);
    std::vector<eventstore::ProjectionWrite> rows;
    for (int i = 0; i < kTimers; ++i) {
      auto armed = ArmTimer(*store, absl::StrCat("breach-", i / 4, "/deadline-", i % 4),
                            kT0 + absl::Seconds(i), "warning 24h");
      if (!armed.ok()) return Check(armed.status(), state);
      rows.insert(rows.end(), armed->begin(), armed->end());
    }
    if (absl::Status written = store->WriteProjection(rows, true); !written.ok()) {
      return Check(written, state);
    }
    const absl::Time now = kT0 + absl::Hours(72);
    state.ResumeTiming();

    auto due = DueTimers(*store, now, kTimers);
    if (!due.ok()) return Check(due.status(), state);
    Check(testing::AppendFired(*store, "timers", now, *due, per_append), state);

    state.PauseTiming();
    auto left = NextDue(*store);
    if (!left.ok() || left->has_value() || due->size() != kTimers) {
      state.SkipWithError("the sweep did not fire every timer");
    }
    store.reset();  // closing and removing the store are not part of the sweep
    dir.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kTimers);
}
BENCHMARK(BM_SweepTenThousandDueTimers)
    ->Arg(500)
    ->Arg(50)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace breachd::timers

BENCHMARK_MAIN();
