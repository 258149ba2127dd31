// Durable append throughput: the event store vs raw RocksDB synced WriteBatch writes of the same
// bytes, at the same concurrency (each writer its own stream), in one run.
//
//   build/bench/eventstore_bench [--benchmark_min_time=2]
//
// The databases live under $BREACHD_BENCH_DIR (default: the system temp dir), which must be on a
// real disk: on tmpfs fsync is free and the comparison means nothing.
#include <sys/vfs.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "libs/eventstore/event_hash.h"
#include "libs/eventstore/event_store.h"
#include "libs/eventstore/storage_layout.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace breachd::eventstore {
namespace {

constexpr int64_t kTmpfsMagic = 0x01021994;

std::string FreshDirectory(const std::string& name) {
  const char* root = std::getenv("BREACHD_BENCH_DIR");
  std::filesystem::path base = root ? root : std::filesystem::temp_directory_path().string();
  static std::atomic<int> counter{0};
  std::filesystem::path dir =
      base / absl::StrCat("eventstore-bench-", getpid(), "-", name, "-", counter++);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

EventEnvelope SampleEvent(int writer, int64_t sequence) {
  EventEnvelope event;
  event.set_event_id(absl::StrCat("01JBENCH", writer, "-", sequence));
  event.set_type("breach.v1.BreachReported");
  event.set_source("intake");
  event.set_tenant("RGIS00800A");
  event.mutable_occurred_at()->set_seconds(1767225600);
  event.mutable_actor()->set_subject("user:m.rossi");
  event.mutable_actor()->set_role("school-dpo");
  event.mutable_actor()->set_tenant("RGIS00800A");
  event.set_correlation_id("01JBENCHCORRELATION0000000");
  event.mutable_payload()->set_type_url("type.googleapis.com/breach.v1.BreachReported");
  event.mutable_payload()->set_value(std::string(256, 'p'));
  return event;
}

// Times the loop on thread 0: the loop start and end are barriers across all threads, so thread
// 0's wall time covers every writer. Only thread 0 reports, so the summed counter is the rate.
class WallRate {
 public:
  void Start() { start_ = std::chrono::steady_clock::now(); }
  void Report(benchmark::State& state, int64_t total_events) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    state.counters["events_per_s"] = benchmark::Counter(total_events / seconds);
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

std::unique_ptr<EventStore> g_store;
std::string g_store_dir;
WallRate g_store_rate;

void BM_EventStoreAppend(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_store_dir = FreshDirectory("store");
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(g_store_dir);
    if (!store.ok()) state.SkipWithError(store.status().ToString().c_str());
    g_store = *std::move(store);
    g_store_rate.Start();
  }
  const int writer = state.thread_index();
  const std::string stream = absl::StrCat("bench-stream-", writer);
  int64_t sequence = 0;
  for (auto _ : state) {
    AppendRequest request;
    request.stream_id = stream;
    request.events.push_back(SampleEvent(writer, sequence++));
    absl::StatusOr<AppendResult> result = g_store->Append(std::move(request));
    if (!result.ok()) {
      state.SkipWithError(result.status().ToString().c_str());
      break;
    }
  }
  if (state.thread_index() == 0) {
    g_store_rate.Report(state, state.iterations() * state.threads());
    g_store.reset();
    std::filesystem::remove_all(g_store_dir);
  }
}

// What one append of SampleEvent puts in its batch: the event, its stream index, id index,
// outbox entry and the stream head.
struct RawWrite {
  std::vector<std::pair<std::string, std::string>> puts;
};

RawWrite SameBytesAsAnAppend(int writer) {
  EventEnvelope event = SampleEvent(writer, 0);
  event.set_stream_id(absl::StrCat("bench-stream-", writer));
  event.set_stream_version(1);
  event.set_position(1);
  event.mutable_recorded_at()->set_seconds(1767225600);
  event.set_prev_hash(GenesisHash());
  event.set_hash(ComputeEventHash(event));
  const std::string position = layout::EncodePosition(event.position());
  return RawWrite{{
      {"e" + position, SerializeDeterministic(event)},
      {"s" + layout::StreamKey(event.stream_id(), 1), position},
      {"i" + event.event_id(), position},
      {"o" + position, ""},
      {"h" + layout::StreamHeadKey(event.stream_id()), layout::EncodeStreamHead({1, event.hash()})},
  }};
}

std::unique_ptr<rocksdb::DB> g_raw;
std::string g_raw_dir;
WallRate g_raw_rate;

void BM_RawRocksDbWrite(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_raw_dir = FreshDirectory("raw");
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    rocksdb::Status status = rocksdb::DB::Open(options, g_raw_dir, &db);
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    g_raw.reset(db);
    g_raw_rate.Start();
  }
  const int writer = state.thread_index();
  RawWrite write = SameBytesAsAnAppend(writer);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  int64_t sequence = 0;
  for (auto _ : state) {
    // Distinct keys per write, like distinct positions and event ids in the store.
    const std::string suffix = absl::StrCat(writer, "-", sequence++);
    rocksdb::WriteBatch batch;
    for (const auto& [key, value] : write.puts) batch.Put(key + suffix, value);
    rocksdb::Status status = g_raw->Write(sync, &batch);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
  }
  if (state.thread_index() == 0) {
    g_raw_rate.Report(state, state.iterations() * state.threads());
    g_raw->Close().PermitUncheckedError();
    g_raw.reset();
    std::filesystem::remove_all(g_raw_dir);
  }
}

// Interleaved per concurrency, so both sides see the same background load.
BENCHMARK(BM_EventStoreAppend)->Threads(1)->UseRealTime();
BENCHMARK(BM_RawRocksDbWrite)->Threads(1)->UseRealTime();
BENCHMARK(BM_EventStoreAppend)->Threads(8)->UseRealTime();
BENCHMARK(BM_RawRocksDbWrite)->Threads(8)->UseRealTime();
BENCHMARK(BM_EventStoreAppend)->Threads(64)->UseRealTime();
BENCHMARK(BM_RawRocksDbWrite)->Threads(64)->UseRealTime();

// Prints the usual console output and remembers each run's rate for the comparison table.
class ComparingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      auto rate = run.counters.find("events_per_s");
      if (rate == run.counters.end() || run.error_occurred || run.run_type == Run::RT_Aggregate) {
        continue;
      }
      const bool store = run.run_name.function_name == "BM_EventStoreAppend";
      (store ? store_ : raw_)[run.threads].push_back(rate->second.value);
    }
  }

  void PrintComparison() const {
    std::printf("\n%8s %18s %18s %8s\n", "writers", "eventstore ev/s", "raw rocksdb ev/s", "ratio");
    for (const auto& [threads, store_rates] : store_) {
      auto raw = raw_.find(threads);
      if (raw == raw_.end()) continue;
      const double store_rate = Median(store_rates);
      const double raw_rate = Median(raw->second);
      std::printf("%8d %18.0f %18.0f %8.2f\n", threads, store_rate, raw_rate,
                  store_rate / raw_rate);
    }
    std::printf("(medians over --benchmark_repetitions)\n");
  }

 private:
  static double Median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
  }

  std::map<int, std::vector<double>> store_;  // writers -> events/s of each repetition
  std::map<int, std::vector<double>> raw_;
};

void WarnIfTmpfs() {
  const char* root = std::getenv("BREACHD_BENCH_DIR");
  const std::string dir = root ? root : std::filesystem::temp_directory_path().string();
  struct statfs fs {};
  if (statfs(dir.c_str(), &fs) == 0 && static_cast<int64_t>(fs.f_type) == kTmpfsMagic) {
    std::fprintf(stderr, "warning: %s is tmpfs; set BREACHD_BENCH_DIR to a real disk\n",
                 dir.c_str());
  }
  std::fprintf(stderr, "databases under %s\n", dir.c_str());
}

}  // namespace
}  // namespace breachd::eventstore

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  breachd::eventstore::WarnIfTmpfs();
  breachd::eventstore::ComparingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintComparison();
  benchmark::Shutdown();
  return 0;
}
