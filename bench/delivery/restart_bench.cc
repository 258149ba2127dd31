// How a restart costs with a large store: breachd must not re-publish or re-apply its history.
// For each store size N it fills the intake store with N filed reports (as if published long
// ago), starts an all-in-one breachd once (the register catches up all N from the intake store
// over gRPC: the catch-up throughput), stops it, then starts it again and measures the time to
// ready and the resident memory after it. N = 0 is the peer each figure is compared against.
//
//   build/bench/restart_bench [--events=0,10000,1000000] [--idle_s=2]
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/latency/idle_rss_probe.h"
#include "breach/v1/admin.grpc.pb.h"
#include "breach/v1/events.pb.h"
#include "grpcpp/create_channel.h"
#include "libs/common/ids.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/event_factory.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"
#include "tests/testing/process.h"

ABSL_FLAG(std::vector<std::string>, events, std::vector<std::string>({"0", "10000"}),
          "Store sizes (filed reports in the intake store) to measure");
ABSL_FLAG(double, idle_s, 2, "Seconds after ready before reading VmRSS");
ABSL_FLAG(std::string, breachd, BREACHD_BIN_DIR "/breachd", "breachd binary");
ABSL_FLAG(std::string, work_dir, "", "Folder for the data (default: the current folder)");

namespace breachd::bench {
namespace {

using testing::ChildProcess;

struct Run {
  absl::Duration to_ready;
  absl::Duration to_caught_up;
  uint64_t caught_up_events = 0;  // applied from the store in this run
  int64_t rss_kib = 0;
  int64_t hwm_kib = 0;
};

// N BreachReported events in the intake store, not in its outbox (published long ago).
absl::Status FillIntake(const std::filesystem::path& dir, int64_t events) {
  eventstore::Options options;
  options.sync = false;  // one fsync at the end is enough for a benchmark's fixture
  auto store = eventstore::EventStore::Open((dir / "intake").string(), options);
  if (!store.ok()) return store.status();
  auth::Principal dpo{"user:dpo-vespucci", testing::kVespucci, {"school-dpo"}};
  const breach::v1::BreachReport form = testing::LostLaptopReport(testing::kVespucci);
  for (int64_t i = 0; i < events; ++i) {
    breach::v1::BreachReported reported;
    reported.set_breach_id(NewUlid(absl::Now()));
    *reported.mutable_report() = form;
    reported.set_request_id(absl::StrCat("bench-", i));
    eventstore::AppendRequest append;
    append.stream_id = reported.breach_id();
    append.publish = false;
    append.events.push_back(service::MakeEvent({"intake", dpo, reported.request_id(),
                                                reported.breach_id()},
                                               testing::kVespucci, absl::Now(), reported));
    if (auto appended = (*store)->Append(std::move(append)); !appended.ok()) {
      return appended.status();
    }
    if (events >= 100000 && (i + 1) % 100000 == 0) {
      std::fprintf(stderr, "  filled %lld/%lld\n", static_cast<long long>(i + 1),
                   static_cast<long long>(events));
    }
  }
  return (*store)->WriteProjection({}, /*sync=*/true);
}

absl::StatusOr<breach::v1::SourceDelivery> IntakeDelivery(const std::string& endpoint) {
  auto admin = breach::v1::AdminService::NewStub(
      grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", testing::kOperatorToken));
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  breach::v1::GetDeliveryStatusResponse status;
  if (grpc::Status called = admin->GetDeliveryStatus(&context, {}, &status); !called.ok()) {
    return absl::UnavailableError(called.error_message());
  }
  for (const auto& row : status.sources()) {
    if (row.source() == "intake") return row;
  }
  return absl::NotFoundError("no intake row in the delivery status");
}

// Starts breachd on `dir`, waits for ready and then for the register to hold every event.
absl::StatusOr<Run> StartAndMeasure(const std::filesystem::path& dir, int64_t events) {
  const std::string ready = (dir / "ready.json").string();
  std::filesystem::remove(ready);
  const absl::Time spawned = absl::Now();
  auto child = ChildProcess::Start(
      {absl::GetFlag(FLAGS_breachd), "--services=all", "--kafka=embedded",
       "--data_dir=" + dir.string(), "--identity_file=" + (dir / "identity.json").string(),
       "--listen=127.0.0.1:0", "--ready_file=" + ready, "--dev_identity", "--insecure"},
      (dir / "breachd").string());
  if (!child.ok()) return child.status();
  Run run;
  while (!std::filesystem::exists(ready)) {
    if (!child->Running()) return absl::InternalError("breachd exited: " + child->Stderr());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  run.to_ready = absl::Now() - spawned;
  std::ifstream ready_in(ready);
  const std::string endpoint = nlohmann::json::parse(ready_in)["endpoint"];
  while (true) {
    auto row = IntakeDelivery(endpoint);
    if (row.ok() && row->applied_through() >= static_cast<uint64_t>(events) && row->lag() == 0 &&
        row->catch_ups() > 0) {
      run.caught_up_events = row->caught_up_events();
      break;
    }
    if (absl::Now() - spawned > absl::Minutes(30)) return absl::DeadlineExceededError("catch-up");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  run.to_caught_up = absl::Now() - spawned;
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_idle_s)));
  run.rss_kib = ProcessStatusKib(child->pid(), "VmRSS");
  run.hwm_kib = ProcessStatusKib(child->pid(), "VmHWM");
  const int status = child->Signal(SIGTERM);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("breachd did not exit cleanly: ", status));
  }
  return run;
}

std::string Ms(absl::Duration d) { return absl::StrCat(absl::ToInt64Milliseconds(d), " ms"); }

int Main() {
  std::filesystem::path base = absl::GetFlag(FLAGS_work_dir);
  if (base.empty()) base = std::filesystem::current_path();
  std::printf("%-9s %-13s %-14s %-13s %-12s %-11s %-10s %s\n", "events", "first-ready",
              "first-caughtup", "restart-ready", "vs-empty", "rss-MiB", "vs-empty",
              "re-applied");
  double empty_ready_ms = 0, empty_rss = 0;
  for (const std::string& flag : absl::GetFlag(FLAGS_events)) {
    int64_t events = 0;
    if (!absl::SimpleAtoi(flag, &events) || events < 0) {
      std::fprintf(stderr, "--events: not a count: %s\n", flag.c_str());
      return 2;
    }
    const std::filesystem::path dir = base / ("breachd-restart-bench-" + NewUlid(absl::Now()));
    std::filesystem::create_directories(dir);
    testing::WriteTwoSchoolIdentity((dir / "identity.json").string());
    if (absl::Status filled = FillIntake(dir, events); !filled.ok()) {
      std::fprintf(stderr, "fill: %s\n", filled.ToString().c_str());
      return 1;
    }
    auto first = StartAndMeasure(dir, events);
    auto restart = first.ok() ? StartAndMeasure(dir, events) : first;
    if (!restart.ok()) {
      std::fprintf(stderr, "breachd: %s (data in %s)\n", restart.status().ToString().c_str(),
                   dir.c_str());
      return 1;
    }
    const double ready_ms = absl::ToDoubleMilliseconds(restart->to_ready);
    const double rss_mib = restart->rss_kib / 1024.0;
    if (events == 0) empty_ready_ms = ready_ms, empty_rss = rss_mib;
    std::printf("%-9lld %-13s %-14s %-13s %-12s %-11.1f %-10s %llu\n",
                static_cast<long long>(events), Ms(first->to_ready).c_str(),
                Ms(first->to_caught_up).c_str(), Ms(restart->to_ready).c_str(),
                empty_ready_ms > 0 ? absl::StrFormat("%.2fx", ready_ms / empty_ready_ms).c_str()
                                   : "-",
                rss_mib,
                empty_rss > 0 ? absl::StrFormat("%.2fx", rss_mib / empty_rss).c_str() : "-",
                static_cast<unsigned long long>(restart->caught_up_events));
    std::fflush(stdout);
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  return 0;
}

}  // namespace
}  // namespace breachd::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return breachd::bench::Main();
}
