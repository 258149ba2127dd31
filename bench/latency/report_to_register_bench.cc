// Report-to-register latency of the breach suite under a fixed offered load, and the idle
// resident memory of an all-in-one breachd.
//
//   build/bench/report_to_register_bench [--rate=500] [--duration_s=20] [--warmup_s=3]
//   build/bench/report_to_register_bench --idle_rss [--breachd=build/bin/breachd]
//
// Latency mode runs the suite in this process (embedded bus, stores on the real disk), files
// reports open-loop at --rate and measures, from each report's scheduled send time, the
// ReportBreach call and the moment the register applied its BreachReported. Exits 1 if a
// call failed or a report never reached the register.
#include <sys/statfs.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/latency/idle_rss_probe.h"
#include "bench/latency/latency_summary.h"
#include "bench/latency/open_loop_reporter.h"
#include "libs/common/ids.h"
#include "libs/grpcutil/tls.h"
#include "services/breachd/suite.h"
#include "tests/testing/fixtures.h"

ABSL_FLAG(double, rate, 500, "Offered reports per second");
ABSL_FLAG(double, duration_s, 20, "Measured seconds");
ABSL_FLAG(double, warmup_s, 3, "Seconds at the same rate before measuring");
ABSL_FLAG(int, channels, 4, "gRPC connections the reports are spread over");
ABSL_FLAG(std::string, services, "intake,register", "Services the in-process suite hosts");
ABSL_FLAG(std::vector<std::string>, kafka_property, {},
          "Extra librdkafka properties for the suite's bus, key=value (to try tunings)");
ABSL_FLAG(std::string, work_dir, "",
          "Where the scratch data folder goes; default the system temp dir unless it is tmpfs, "
          "then the current folder");
ABSL_FLAG(bool, keep_data, false, "Keep the scratch data folder");
ABSL_FLAG(double, p99_target_ms, 100, "Report-to-register p99 target, for the verdict line");
ABSL_FLAG(bool, idle_rss, false, "Measure the idle RSS of a breachd process instead");
ABSL_FLAG(double, idle_s, 5, "Idle seconds before reading VmRSS");
ABSL_FLAG(std::string, breachd, BREACHD_BIN_DIR "/breachd", "breachd binary for --idle_rss");
ABSL_FLAG(double, rss_target_mib, 150, "Idle RSS target, for the verdict line");

namespace breachd::bench {
namespace {

constexpr long kTmpfsMagic = 0x01021994;

bool OnTmpfs(const std::filesystem::path& dir) {
  struct statfs info {};
  return statfs(dir.c_str(), &info) == 0 && static_cast<long>(info.f_type) == kTmpfsMagic;
}

// A fresh scratch folder on a real disk.
std::filesystem::path ScratchFolder(const std::string& prefix) {
  std::filesystem::path base = absl::GetFlag(FLAGS_work_dir);
  if (base.empty()) {
    base = std::filesystem::temp_directory_path();
    if (OnTmpfs(base)) base = std::filesystem::current_path();
  }
  if (OnTmpfs(base)) std::fprintf(stderr, "warning: %s is tmpfs, not a disk\n", base.c_str());
  const std::filesystem::path dir = base / (prefix + NewUlid(absl::Now()));
  std::filesystem::create_directories(dir);
  return dir;
}

// "load average 1.23 0.98 0.50 on 2 CPUs": figures on a shared machine need this context.
std::string HostLoad() {
  std::ifstream loadavg("/proc/loadavg");
  std::string one, five, fifteen;
  loadavg >> one >> five >> fifteen;
  return absl::StrCat("load average ", one, " ", five, " ", fifteen, " on ",
                      std::thread::hardware_concurrency(), " CPUs");
}

void Cleanup(const std::filesystem::path& dir) {
  if (absl::GetFlag(FLAGS_keep_data)) return;
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

int RunIdleRss() {
  const std::filesystem::path dir = ScratchFolder("breachd-idle-rss-");
  const absl::Duration idle = absl::Seconds(absl::GetFlag(FLAGS_idle_s));
  absl::StatusOr<IdleRss> rss = MeasureIdleRss(absl::GetFlag(FLAGS_breachd), dir.string(), idle);
  if (!rss.ok()) {
    std::fprintf(stderr, "idle_rss: %s (logs in %s)\n", rss.status().ToString().c_str(),
                 dir.c_str());
    return 1;
  }
  const double rss_mib = rss->vm_rss_kib / 1024.0;
  std::printf("host %s\n", HostLoad().c_str());
  const double target = absl::GetFlag(FLAGS_rss_target_mib);
  std::printf("breachd --services=all --kafka=embedded, idle %s after ready (data on %s)\n",
              absl::FormatDuration(idle).c_str(), dir.c_str());
  std::printf("  startup to ready:  %s\n", absl::FormatDuration(rss->startup).c_str());
  std::printf("  VmRSS:             %.1f MiB (%lld kB)\n", rss_mib,
              static_cast<long long>(rss->vm_rss_kib));
  std::printf("  VmHWM (peak):      %.1f MiB\n", rss->vm_hwm_kib / 1024.0);
  std::printf("  exit after SIGTERM: %d\n", rss->exit_code);
  std::printf("  target VmRSS < %.0f MiB: %s\n", target, rss_mib < target ? "met" : "MISSED");
  if (rss->exit_code != 0) return 1;
  Cleanup(dir);
  return 0;
}

int RunLatency() {
  absl::StatusOr<std::set<std::string>> services =
      suite::ParseServices(absl::GetFlag(FLAGS_services));
  if (!services.ok() || !services->count("intake") || !services->count("register")) {
    std::fprintf(stderr, "--services must include intake and register\n");
    return 2;
  }
  const std::filesystem::path dir = ScratchFolder("breachd-latency-");
  testing::WriteTwoSchoolIdentity((dir / "identity.json").string());
  suite::SuiteConfig config;
  config.services = *services;
  config.listen = "127.0.0.1:0";
  config.transport = grpcutil::InsecureTransport();  // TLS: tls_handshake_test.cc
  config.dev_identity = true;
  config.data_dir = dir.string();
  config.kafka = "embedded";
  config.kafka_properties = absl::GetFlag(FLAGS_kafka_property);
  absl::StatusOr<std::unique_ptr<suite::Suite>> suite = suite::Suite::Start(config);
  if (!suite.ok()) {
    std::fprintf(stderr, "suite: %s\n", suite.status().ToString().c_str());
    return 1;
  }

  ReporterOptions options;
  options.endpoint = (*suite)->endpoint();
  options.reports_per_second = absl::GetFlag(FLAGS_rate);
  options.warmup = absl::Seconds(absl::GetFlag(FLAGS_warmup_s));
  options.duration = absl::Seconds(absl::GetFlag(FLAGS_duration_s));
  options.channels = absl::GetFlag(FLAGS_channels);
  options.reporters = {{testing::kVespucciDpoToken, testing::kVespucci},
                       {testing::kGalileiDpoToken, testing::kGalilei}};
  OpenLoopReporter reporter(options);
  (*suite)->SetAppliedObserver(
      "register", [&reporter](const breach::v1::EventEnvelope& event) { reporter.OnApplied(event); });

  int exit_code = 0;
  if (absl::Status primed = reporter.Prime(absl::Seconds(60)); !primed.ok()) {
    std::fprintf(stderr, "prime: %s\n", primed.ToString().c_str());
    exit_code = 1;
  } else {
    const std::string load = HostLoad();
    const ReporterResult result = reporter.Run();
    const LatencySummary to_register = Summarize(result.register_ms);
    const double target = absl::GetFlag(FLAGS_p99_target_ms);
    std::printf("suite {%s}, embedded bus, data on %s%s\n",
                absl::StrJoin(*services, ",").c_str(), dir.c_str(),
                config.kafka_properties.empty()
                    ? ""
                    : (", kafka " + absl::StrJoin(config.kafka_properties, ",")).c_str());
    std::printf("host %s at start of measurement\n", load.c_str());
    std::printf("offered %.0f reports/s for %.0f s after %.0f s warm-up, %d connections\n",
                options.reports_per_second, absl::GetFlag(FLAGS_duration_s),
                absl::GetFlag(FLAGS_warmup_s), options.channels);
    std::printf("  sent:               %zu (late by >1 ms: %zu)\n", result.measured_sent,
                result.late_sends);
    std::printf("  achieved send rate: %.1f /s\n", result.offered_per_second);
    std::printf("  register rate:      %.1f /s\n", result.registered_per_second);
    std::printf("  ReportBreach RPC:   %s\n", FormatSummary(Summarize(result.rpc_ms)).c_str());
    std::printf("  report->register:   %s\n", FormatSummary(to_register).c_str());
    std::printf("  rpc failed:         %zu%s%s\n", result.rpc_failed,
                result.rpc_failed ? "  first: " : "", result.first_rpc_error.c_str());
    std::printf("  lost:               %zu\n", result.lost);
    std::printf("  target p99 < %.0f ms: %s\n", target,
                to_register.count > 0 && to_register.p99_ms < target ? "met" : "MISSED");
    if (result.lost != 0 || result.rpc_failed != 0) exit_code = 1;
  }
  std::fflush(stdout);
  (*suite)->SetAppliedObserver("register", nullptr);
  (*suite)->Stop();
  suite->reset();
  Cleanup(dir);
  return exit_code;
}

}  // namespace
}  // namespace breachd::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Report-to-register latency and idle RSS of breachd.");
  absl::ParseCommandLine(argc, argv);
  return absl::GetFlag(FLAGS_idle_rss) ? breachd::bench::RunIdleRss()
                                       : breachd::bench::RunLatency();
}
