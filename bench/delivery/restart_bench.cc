// How a restart costs with a large store: breachd must not re-publish or re-apply its history.
// For each store size N it fills the intake store with N filed reports (as if published long
// ago), starts an all-in-one breachd once (its consumers catch up all N from the intake store
// over gRPC: the catch-up throughput), stops it, then starts it again and measures the time to
// ready and the resident memory after it. N = 0 is the peer each figure is compared against.
//
//   build/bench/restart_bench [--events=0,10000,1000000] [--idle_s=2]
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/delivery/large_store.h"
#include "bench/latency/idle_rss_probe.h"

ABSL_FLAG(std::vector<std::string>, events, std::vector<std::string>({"0", "10000"}),
          "Store sizes (filed reports in the intake store) to measure");
ABSL_FLAG(double, idle_s, 2, "Seconds after ready before reading VmRSS");
ABSL_FLAG(std::string, breachd, BREACHD_BIN_DIR "/breachd", "breachd binary");
ABSL_FLAG(std::string, work_dir, "", "Folder for the data (default: the current folder)");

namespace breachd::bench {
namespace {

struct Run {
  absl::Duration to_ready;
  absl::Duration to_caught_up;
  uint64_t caught_up_events = 0;  // applied from the store in this run, every consumer summed
  int64_t rss_kib = 0;
  int64_t hwm_kib = 0;
};

// Starts breachd on `dir`, waits for ready and then for every consumer to hold every event.
absl::StatusOr<Run> StartAndMeasure(const std::filesystem::path& dir, int64_t events) {
  auto breachd = StartAllInOne(absl::GetFlag(FLAGS_breachd), dir);
  if (!breachd.ok()) return breachd.status();
  Run run;
  run.to_ready = breachd->to_ready;
  auto caught_up = WaitCaughtUp(*breachd, events, absl::Minutes(30));
  if (!caught_up.ok()) return caught_up.status();
  run.caught_up_events = *caught_up;
  run.to_caught_up = absl::Now() - breachd->spawned;
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_idle_s)));
  run.rss_kib = ProcessStatusKib(breachd->process.pid(), "VmRSS");
  run.hwm_kib = ProcessStatusKib(breachd->process.pid(), "VmHWM");
  const int status = breachd->process.Signal(SIGTERM);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("breachd did not exit cleanly: ", status));
  }
  return run;
}

int Main() {
  std::printf("%-9s %-13s %-14s %-13s %-12s %-11s %-10s %s\n", "events", "first-ready",
              "first-caughtup", "restart-ready", "vs-empty", "rss-MiB", "vs-empty",
              "re-applied");
  double empty_ready_ms = 0, empty_rss = 0;
  return ForEachFilledStore(
      absl::GetFlag(FLAGS_events), /*min_events=*/0, absl::GetFlag(FLAGS_work_dir),
      "breachd-restart-bench",
      [&](const std::filesystem::path& dir, int64_t events) -> absl::Status {
        auto first = StartAndMeasure(dir, events);
        if (!first.ok()) return first.status();
        auto restart = StartAndMeasure(dir, events);
        if (!restart.ok()) return restart.status();
        const double ready_ms = absl::ToDoubleMilliseconds(restart->to_ready);
        const double rss_mib = restart->rss_kib / 1024.0;
        if (events == 0) empty_ready_ms = ready_ms, empty_rss = rss_mib;
        std::printf(
            "%-9lld %-13s %-14s %-13s %-12s %-11.1f %-10s %llu\n",
            static_cast<long long>(events), Ms(first->to_ready).c_str(),
            Ms(first->to_caught_up).c_str(), Ms(restart->to_ready).c_str(),
            empty_ready_ms > 0 ? absl::StrFormat("%.2fx", ready_ms / empty_ready_ms).c_str()
                               : "-",
            rss_mib, empty_rss > 0 ? absl::StrFormat("%.2fx", rss_mib / empty_rss).c_str() : "-",
            static_cast<unsigned long long>(restart->caught_up_events));
        return absl::OkStatus();
      });
}

}  // namespace
}  // namespace breachd::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return breachd::bench::Main();
}
