// The headline figure of issue 12: a provider-wide incident over N schools (10,000 by default).
// It imports a generated directory, then times, from the CreateIncident call:
//   cases     until the intake has every school's case (GetIncident: fan-out complete),
//   clocks    until the notification service has armed every case's controller-notice clock,
//   register  until the register lists every case's entry;
//   drafts    until the notification service has drafted every case's notice to its school
//             (its drafter runs after the clocks, at a lower priority: breachd_notices_to_draft
//             on its metrics endpoint is back to 0; not part of the 5 s);
// and reads breachd's peak resident memory (VmHWM, and the highest VmRSS sampled during the
// fan-out). Two layouts (--layout, default both, one after the other):
//   all-in-one  one breachd with every service on the embedded bus;
//   devbus      the standalone bus (devbus) and each service in its own breachd process, each
//               told the others' addresses (--peers) for catch-up, as an operator deploys them;
//               every process shares one keyring folder and master key (in both layouts);
//               memory is the sum over the processes (and the largest one).
// Stores are on the real disk. Exits 1 if something never arrived (after --timeout_s).
//
//   build/bench/incident_fanout_bench [--schools=10000] [--layout=both|all-in-one|devbus]
//                                     [--timeout_s=120] [--settle_s=3]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/latency/idle_rss_probe.h"
#include "breach/v1/directory.grpc.pb.h"
#include "breach/v1/incident.grpc.pb.h"
#include "breach/v1/notification.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "libs/directory/generator.h"
#include "libs/directory/school_csv.h"
#include "libs/metrics/testing/scrape.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"
#include "libs/common/status_macros.h"
#include "tests/testing/process.h"

ABSL_FLAG(int, schools, 10000, "Schools in the directory, every one affected");
ABSL_FLAG(int, timeout_s, 120, "Give up after this many seconds");
ABSL_FLAG(std::string, layout, "both", "all-in-one, devbus or both");
ABSL_FLAG(std::string, breachd, BREACHD_BIN_DIR "/breachd", "breachd binary");
ABSL_FLAG(std::string, devbus, BREACHD_BIN_DIR "/devbus", "devbus binary");
ABSL_FLAG(int, settle_s, 3,
          "Seconds between the import and CreateIncident, for the consumers to take in the "
          "directory (longer keeps that work out of the fan-out's CPU figure)");
ABSL_FLAG(std::string, work_dir, "", "Folder for the data (default: a new folder under /tmp)");

namespace breachd::bench {
namespace {

using testing::CallAs;
using testing::ChildProcess;
using testing::kOperatorToken;

// The processes of one layout and where its services answer.
struct Deployment {
  std::unique_ptr<ChildProcess> bus;  // devbus, or none (embedded)
  std::map<std::string, std::unique_ptr<ChildProcess>> services;  // by --services value
  std::map<std::string, std::string> endpoints;  // intake, notification, register
  std::map<std::string, int> metrics_ports;        // the same services' Prometheus ports
};

std::vector<std::string> BreachdArgs(const std::string& dir, const std::string& name,
                                     const std::string& kafka) {
  return {absl::GetFlag(FLAGS_breachd), "--services=" + name, "--kafka=" + kafka,
          "--listen=127.0.0.1:0", absl::StrCat("--data_dir=", dir, "/", name),
          "--identity_file=" + dir + "/identity.json",
          absl::StrCat("--ready_file=", dir, "/", name, ".ready"),
          // One keyring and master key for the deployment (docs/configuration.md): each
          // process opens what the others sealed, and a school's key is made once.
          "--keyring_dir=" + dir + "/keyring", "--master_key_file=" + dir + "/master.key",
          std::string("--regimes_dir=") + BREACHD_SOURCE_DIR + "/regimes",
          std::string("--templates_dir=") + BREACHD_SOURCE_DIR + "/templates", "--insecure"};
}

// Starts one breachd and waits for its ready file; its endpoint, or an error. Its metrics port
// goes in deployment.metrics_ports[name].
absl::StatusOr<std::string> StartBreachd(Deployment& deployment, const std::string& dir,
                                         const std::string& name,
                                         std::vector<std::string> argv) {
  auto process = ChildProcess::Start(argv, absl::StrCat(dir, "/", name));
  if (!process.ok()) return process.status();
  auto& child = deployment.services[name] = std::make_unique<ChildProcess>(*std::move(process));
  const std::string ready = absl::StrCat(dir, "/", name, ".ready");
  if (!testing::WaitUntil([&] { return !testing::ReadFile(ready).empty(); },
                          absl::Seconds(60))) {
    return absl::UnavailableError(absl::StrCat(name, " did not start: ", child->Stderr()));
  }
  const nlohmann::json written = nlohmann::json::parse(testing::ReadFile(ready));
  const std::string metrics = written.value("metrics_endpoint", "");
  int port = 0;
  if (!absl::SimpleAtoi(metrics.substr(metrics.rfind(':') + 1), &port)) {
    return absl::UnavailableError(absl::StrCat(name, " has no metrics endpoint: ", metrics));
  }
  deployment.metrics_ports[name] = port;
  return written["endpoint"].get<std::string>();
}

absl::StatusOr<Deployment> StartAllInOne(const std::string& dir) {
  Deployment deployment;
  ASSIGN_OR_RETURN(std::string endpoint,
                   StartBreachd(deployment, dir, "all", BreachdArgs(dir, "all", "embedded")));
  for (const char* service : {"intake", "notification", "register"}) {
    deployment.endpoints[service] = endpoint;
    deployment.metrics_ports[service] = deployment.metrics_ports["all"];
  }
  return deployment;
}

absl::StatusOr<Deployment> StartOnDevbus(const std::string& dir) {
  Deployment deployment;
  auto bus = ChildProcess::Start({absl::GetFlag(FLAGS_devbus), "--listen=127.0.0.1:0"},
                                 dir + "/devbus");
  if (!bus.ok()) return bus.status();
  deployment.bus = std::make_unique<ChildProcess>(*std::move(bus));
  std::string bootstrap;
  testing::WaitUntil([&] {
    for (absl::string_view line : absl::StrSplit(deployment.bus->Stdout(), '\n')) {
      if (absl::StartsWith(line, "bootstrap=")) bootstrap = std::string(line.substr(10));
    }
    return !bootstrap.empty();
  });
  if (bootstrap.empty()) {
    return absl::UnavailableError("devbus did not start: " + deployment.bus->Stderr());
  }
  // Each consumer is told where the services started before it keep their stores.
  std::vector<std::string> peers;
  for (const char* service : {"intake", "assessment", "notification", "register"}) {
    std::vector<std::string> argv = BreachdArgs(dir, service, bootstrap);
    if (!peers.empty()) argv.push_back("--peers=" + absl::StrJoin(peers, ","));
    ASSIGN_OR_RETURN(std::string endpoint, StartBreachd(deployment, dir, service, argv));
    deployment.endpoints[service] = endpoint;
    peers.push_back(absl::StrCat(service, "=", endpoint));
  }
  return deployment;
}

// User + system CPU time a process has used so far (/proc/PID/stat), 0 if unreadable.
double CpuSeconds(int pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(stat, line);
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<std::string> fields = absl::StrSplit(line.substr(close + 2), ' ');
  double utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtod(fields[11], &utime) ||
      !absl::SimpleAtod(fields[12], &stime)) {
    return 0;
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Figures {
  absl::Duration import_took, answered, cases, clocks, entries, drafts;
  // CPU breachd used from CreateIncident to the register figure (the window), and to the
  // drafts: on a shared machine the times depend on what else runs, this much less.
  double cpu_seconds = 0, cpu_to_drafts = 0;
  int64_t rss_before_kib = 0, rss_peak_kib = 0, largest_peak_kib = 0, hwm_kib = 0;
  std::map<std::string, int64_t> peak_kib_by_process;  // by --services value
  bool complete() const {
    return std::max({cases, clocks, entries, drafts}) != absl::InfiniteDuration();
  }
};

std::shared_ptr<grpc::Channel> Channel(const std::string& endpoint) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  return grpc::CreateCustomChannel(endpoint, grpc::InsecureChannelCredentials(), args);
}

absl::StatusOr<Figures> Measure(Deployment& deployment, int n) {
  Figures figures;
  std::vector<int> pids;
  for (const auto& [name, process] : deployment.services) pids.push_back(process->pid());
  // The sum of the processes' VmRSS, and the largest one (each one's peak when `largest`).
  auto rss = [&](int64_t* largest) {
    int64_t sum = 0;
    for (const auto& [name, process] : deployment.services) {
      const int64_t one = ProcessStatusKib(process->pid(), "VmRSS");
      sum += std::max<int64_t>(one, 0);
      if (largest == nullptr) continue;
      *largest = std::max(*largest, one);
      figures.peak_kib_by_process[name] = std::max(figures.peak_kib_by_process[name], one);
    }
    return sum;
  };

  // The directory.
  breach::v1::ImportSchoolsRequest import;
  import.set_csv(directory::WriteSchoolCsv(directory::GenerateDirectory(n, 1)));
  breach::v1::ImportSchoolsResponse imported;
  absl::Time t = absl::Now();
  grpc::Status status =
      breach::v1::DirectoryService::NewStub(Channel(deployment.endpoints["intake"]))
          ->ImportSchools(CallAs(kOperatorToken, absl::Seconds(120)).get(), import, &imported);
  if (!status.ok() || imported.added() != n) {
    return absl::InternalError(absl::StrCat("import failed: ", status.error_message(), " (",
                                            imported.added(), " added)"));
  }
  figures.import_took = absl::Now() - t;
  // Let the directory's events reach the notification service before the clock starts.
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_settle_s)));
  figures.rss_before_kib = rss(nullptr);

  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      figures.rss_peak_kib = std::max(figures.rss_peak_kib, rss(&figures.largest_peak_kib));
      absl::SleepFor(absl::Milliseconds(50));
    }
  });

  auto incidents = breach::v1::IncidentService::NewStub(Channel(deployment.endpoints["intake"]));
  auto notification =
      breach::v1::NotificationService::NewStub(Channel(deployment.endpoints["notification"]));
  auto register_service =
      breach::v1::RegisterService::NewStub(Channel(deployment.endpoints["register"]));
  double cpu_before = 0;
  for (int pid : pids) cpu_before += CpuSeconds(pid);
  // A mark on stderr for a profiler attached to breachd to start from (docs/benchmarks.md).
  std::fprintf(stderr, "fan-out starts\n");
  const absl::Time start = absl::Now();
  breach::v1::Incident incident;
  status = incidents->CreateIncident(CallAs(kOperatorToken, absl::Seconds(60)).get(),
                                     testing::RegisterIncidentRequest("bench-incident"), &incident);
  if (!status.ok()) {
    sampling = false;
    sampler.join();
    return absl::InternalError("CreateIncident: " + status.error_message());
  }
  figures.answered = absl::Now() - start;
  const absl::Duration timeout = absl::Seconds(absl::GetFlag(FLAGS_timeout_s));
  // Polls `count` until it reaches n. Each poll costs the services work (a listing of every
  // clock or entry so far), so while far from n it polls less often: it sleeps half the time
  // the rate seen so far says is left, between 100 and 500 ms, so a figure is late by at most
  // ~100 ms when the rate holds (and 500 ms when it jumps).
  auto wait = [&](const char* what, const std::function<int()>& count) -> absl::Duration {
    int last = -1;
    const absl::Time began = absl::Now();
    int first = -1;
    while (absl::Now() - start < timeout) {
      last = count();
      if (last >= n) return absl::Now() - start;
      if (first < 0) first = last;
      absl::Duration pause = absl::Milliseconds(100);
      if (last > first) {
        const double per_second = (last - first) / absl::ToDoubleSeconds(absl::Now() - began);
        pause = std::clamp(absl::Seconds((n - last) / per_second / 2), absl::Milliseconds(100),
                           absl::Milliseconds(500));
      }
      absl::SleepFor(pause);
    }
    std::fprintf(stderr, "%s: only %d of %d after %s\n", what, last, n,
                 absl::FormatDuration(timeout).c_str());
    return absl::InfiniteDuration();
  };
  figures.cases = wait("cases", [&] {
    breach::v1::GetIncidentRequest request;
    request.set_incident_id(incident.incident_id());
    request.set_summary_only(true);  // the fan-out's count, not every case's state
    breach::v1::IncidentStatus got;
    return incidents->GetIncident(CallAs(kOperatorToken).get(), request, &got).ok()
               ? got.cases_created()
               : 0;
  });
  figures.clocks = wait("clocks", [&] {
    breach::v1::ListDeadlinesResponse got;
    if (!notification->ListDeadlines(CallAs(kOperatorToken, absl::Seconds(30)).get(), {}, &got)
             .ok()) {
      return 0;
    }
    int armed = 0;
    for (const auto& clock : got.clocks()) {
      armed += clock.deadline().duty() == breach::v1::DUTY_KIND_CONTROLLER_NOTICE && clock.armed();
    }
    return armed;
  });
  figures.entries = wait("register", [&] {
    breach::v1::ListBreachesRequest request;
    request.set_page_size(500);
    int seen = 0;
    do {
      breach::v1::ListBreachesResponse page;
      if (!register_service->ListBreaches(CallAs(kOperatorToken, absl::Seconds(30)).get(),
                                          request, &page)
               .ok()) {
        return 0;
      }
      seen += page.entries_size();
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return seen;
  });
  for (int pid : pids) figures.cpu_seconds += CpuSeconds(pid);
  figures.cpu_seconds -= cpu_before;
  // Every clock is armed by now, and each reaction that armed one left its notice's row in the
  // same write: no row left means every notice is drafted.
  const int port = deployment.metrics_ports["notification"];
  figures.drafts = wait("drafts", [&] {
    absl::StatusOr<std::string> scraped = metrics::testing::Scrape(port);
    if (!scraped.ok()) return 0;
    const std::optional<double> left =
        metrics::testing::SampleValue(*scraped, "breachd_notices_to_draft");
    return left.has_value() ? n - static_cast<int>(*left) : 0;
  });
  for (int pid : pids) figures.cpu_to_drafts += CpuSeconds(pid);
  figures.cpu_to_drafts -= cpu_before;
  sampling = false;
  sampler.join();
  for (int pid : pids) figures.hwm_kib += std::max<int64_t>(ProcessStatusKib(pid, "VmHWM"), 0);
  return figures;
}

void Print(const std::string& title, int n, const Figures& f, size_t processes) {
  const absl::Duration all = std::max({f.cases, f.clocks, f.entries});
  std::printf("incident over %d schools, %s\n", n, title.c_str());
  std::printf("  directory import          %8.2f s\n", absl::ToDoubleSeconds(f.import_took));
  std::printf("  CreateIncident answered   %8.3f s\n", absl::ToDoubleSeconds(f.answered));
  std::printf("  every case (intake)       %8.2f s\n", absl::ToDoubleSeconds(f.cases));
  std::printf("  every clock armed         %8.2f s\n", absl::ToDoubleSeconds(f.clocks));
  std::printf("  every register entry      %8.2f s\n", absl::ToDoubleSeconds(f.entries));
  std::printf("  all of it                 %8.2f s   (target 5 s)\n", absl::ToDoubleSeconds(all));
  std::printf("  breachd CPU meanwhile      %8.2f s   (user + system%s)\n", f.cpu_seconds,
              processes > 1 ? ", all processes" : "");
  std::printf("  every notice drafted      %8.2f s   (after the clocks, at a lower priority)\n",
              absl::ToDoubleSeconds(f.drafts));
  std::printf("  breachd CPU to the drafts  %8.2f s\n", f.cpu_to_drafts);
  const char* what = processes > 1 ? "RSS (sum of breachd's)" : "RSS";
  std::printf("  %-22s before   %8.1f MiB\n", what, f.rss_before_kib / 1024.0);
  std::printf("  %-22s peak     %8.1f MiB  (target < 512)\n", what, f.rss_peak_kib / 1024.0);
  if (processes > 1) {
    std::printf("  largest breachd peak            %8.1f MiB  (", f.largest_peak_kib / 1024.0);
    const char* separator = "";
    for (const auto& [name, kib] : f.peak_kib_by_process) {
      std::printf("%s%s %.0f", separator, name.c_str(), kib / 1024.0);
      separator = ", ";
    }
    std::printf(")\n");
  }
  std::printf("  VmHWM (whole run%s)      %8.1f MiB\n", processes > 1 ? ", summed" : "",
              f.hwm_kib / 1024.0);
  std::fflush(stdout);
}

// Starts a layout in `dir`, measures it, stops it; false if it failed or was incomplete.
bool RunLayout(const std::string& layout, const std::string& dir, int n) {
  std::filesystem::create_directories(dir);
  testing::WriteTwoSchoolIdentity(dir + "/identity.json");
  {
    std::ofstream(dir + "/master.key") << std::string(64, '7') << "\n";  // a bench's, not secret
    std::filesystem::permissions(dir + "/master.key", std::filesystem::perms::owner_read |
                                                          std::filesystem::perms::owner_write);
  }
  absl::StatusOr<Deployment> deployment =
      layout == "devbus" ? StartOnDevbus(dir) : StartAllInOne(dir);
  if (!deployment.ok()) {
    std::fprintf(stderr, "%s: %s\n", layout.c_str(), deployment.status().ToString().c_str());
    return false;
  }
  absl::StatusOr<Figures> figures = Measure(*deployment, n);
  bool ok = figures.ok() && figures->complete();
  if (figures.ok()) {
    Print(layout == "devbus" ? "each service its own breachd on devbus"
                             : "all-in-one, embedded bus",
          n, *figures, deployment->services.size());
  } else {
    std::fprintf(stderr, "%s: %s\n", layout.c_str(), figures.status().ToString().c_str());
  }
  for (auto& [name, process] : deployment->services) process->Signal(SIGTERM);
  if (deployment->bus) deployment->bus->Signal(SIGTERM);
  return ok;
}

int Run() {
  const int n = absl::GetFlag(FLAGS_schools);
  const std::string layout = absl::GetFlag(FLAGS_layout);
  if (layout != "both" && layout != "all-in-one" && layout != "devbus") {
    std::fprintf(stderr, "--layout: all-in-one, devbus or both, not %s\n", layout.c_str());
    return 2;
  }
  std::string dir = absl::GetFlag(FLAGS_work_dir);
  if (dir.empty()) dir = absl::StrCat("/tmp/incident-bench-", getpid());
  bool ok = true;
  for (const std::string one : {"all-in-one", "devbus"}) {
    if (layout != "both" && layout != one) continue;
    ok = RunLayout(one, dir + "/" + one, n) && ok;
  }
  if (absl::GetFlag(FLAGS_work_dir).empty()) std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace breachd::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return breachd::bench::Run();
}
