// The headline figure of issue 12: a provider-wide incident over N schools (10,000 by default),
// one breachd with every service on the embedded bus (stores on the real disk). It imports a
// generated directory, then times, from the CreateIncident call:
//   cases     until the intake has every school's case (GetIncident: fan-out complete),
//   clocks    until the notification service has armed every case's controller-notice clock,
//   register  until the register lists every case's entry;
// and reads breachd's peak resident memory (VmHWM, and the highest VmRSS sampled during the
// fan-out). Exits 1 if something never arrived (after --timeout_s).
//
//   build/bench/incident_fanout_bench [--schools=10000] [--timeout_s=120]
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
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
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"
#include "tests/testing/process.h"

ABSL_FLAG(int, schools, 10000, "Schools in the directory, every one affected");
ABSL_FLAG(int, timeout_s, 120, "Give up after this many seconds");
ABSL_FLAG(std::string, breachd, BREACHD_BIN_DIR "/breachd", "breachd binary");
ABSL_FLAG(std::string, work_dir, "", "Folder for the data (default: a new folder under /tmp)");

namespace breachd::bench {
namespace {

using testing::CallAs;
using testing::ChildProcess;
using testing::kOperatorToken;

int Run() {
  const int n = absl::GetFlag(FLAGS_schools);
  std::string dir = absl::GetFlag(FLAGS_work_dir);
  if (dir.empty()) dir = absl::StrCat("/tmp/incident-bench-", getpid());
  std::filesystem::create_directories(dir);
  testing::WriteTwoSchoolIdentity(dir + "/identity.json");
  const std::string ready = dir + "/ready";
  auto process = ChildProcess::Start(
      {absl::GetFlag(FLAGS_breachd), "--services=all", "--kafka=embedded",
       "--listen=127.0.0.1:0", "--data_dir=" + dir + "/data",
       "--identity_file=" + dir + "/identity.json", "--ready_file=" + ready,
       std::string("--regimes_dir=") + BREACHD_SOURCE_DIR + "/regimes",
       std::string("--templates_dir=") + BREACHD_SOURCE_DIR + "/templates", "--insecure"},
      dir + "/breachd");
  if (!process.ok()) {
    std::fprintf(stderr, "cannot start breachd: %s\n", process.status().ToString().c_str());
    return 1;
  }
  if (!testing::WaitUntil([&] { return !testing::ReadFile(ready).empty(); })) {
    std::fprintf(stderr, "breachd did not start: %s\n", process->Stderr().c_str());
    return 1;
  }
  const std::string endpoint = nlohmann::json::parse(testing::ReadFile(ready))["endpoint"];
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  auto channel = grpc::CreateCustomChannel(endpoint, grpc::InsecureChannelCredentials(), args);
  const int pid = process->pid();

  // The directory.
  breach::v1::ImportSchoolsRequest import;
  import.set_csv(directory::WriteSchoolCsv(directory::GenerateDirectory(n, 1)));
  breach::v1::ImportSchoolsResponse imported;
  absl::Time t = absl::Now();
  grpc::Status status = breach::v1::DirectoryService::NewStub(channel)->ImportSchools(
      CallAs(kOperatorToken, absl::Seconds(120)).get(), import, &imported);
  if (!status.ok() || imported.added() != n) {
    std::fprintf(stderr, "import failed: %s (%d added)\n", status.error_message().c_str(),
                 imported.added());
    return 1;
  }
  const absl::Duration import_took = absl::Now() - t;
  // Let the directory's events reach the notification service before the clock starts.
  absl::SleepFor(absl::Seconds(3));
  const int64_t rss_before = ProcessStatusKib(pid, "VmRSS");

  std::atomic<bool> sampling{true};
  std::atomic<int64_t> rss_peak{0};
  std::thread sampler([&] {
    while (sampling) {
      rss_peak = std::max<int64_t>(rss_peak, ProcessStatusKib(pid, "VmRSS"));
      absl::SleepFor(absl::Milliseconds(50));
    }
  });

  auto incidents = breach::v1::IncidentService::NewStub(channel);
  auto notification = breach::v1::NotificationService::NewStub(channel);
  auto register_service = breach::v1::RegisterService::NewStub(channel);
  const absl::Time start = absl::Now();
  breach::v1::Incident incident;
  status = incidents->CreateIncident(CallAs(kOperatorToken, absl::Seconds(60)).get(),
                                     testing::RegisterIncidentRequest("bench-incident"), &incident);
  if (!status.ok()) {
    std::fprintf(stderr, "CreateIncident: %s\n", status.error_message().c_str());
    return 1;
  }
  const absl::Duration answered = absl::Now() - start;
  const absl::Duration timeout = absl::Seconds(absl::GetFlag(FLAGS_timeout_s));
  auto wait = [&](const char* what, const std::function<int()>& count) -> absl::Duration {
    int last = -1;
    while (absl::Now() - start < timeout) {
      last = count();
      if (last >= n) return absl::Now() - start;
      absl::SleepFor(absl::Milliseconds(100));
    }
    std::fprintf(stderr, "%s: only %d of %d after %s\n", what, last, n,
                 absl::FormatDuration(timeout).c_str());
    return absl::InfiniteDuration();
  };
  const absl::Duration cases = wait("cases", [&] {
    breach::v1::GetIncidentRequest request;
    request.set_incident_id(incident.incident_id());
    breach::v1::IncidentStatus got;
    return incidents->GetIncident(CallAs(kOperatorToken).get(), request, &got).ok()
               ? got.cases_created()
               : 0;
  });
  const absl::Duration clocks = wait("clocks", [&] {
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
  const absl::Duration entries = wait("register", [&] {
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
  sampling = false;
  sampler.join();
  const int64_t hwm = ProcessStatusKib(pid, "VmHWM");

  const absl::Duration all = std::max({cases, clocks, entries});
  std::printf("incident over %d schools, all-in-one, embedded bus\n", n);
  std::printf("  directory import          %8.2f s\n", absl::ToDoubleSeconds(import_took));
  std::printf("  CreateIncident answered   %8.3f s\n", absl::ToDoubleSeconds(answered));
  std::printf("  every case (intake)       %8.2f s\n", absl::ToDoubleSeconds(cases));
  std::printf("  every clock armed         %8.2f s\n", absl::ToDoubleSeconds(clocks));
  std::printf("  every register entry      %8.2f s\n", absl::ToDoubleSeconds(entries));
  std::printf("  all of it                 %8.2f s   (target 5 s)\n", absl::ToDoubleSeconds(all));
  std::printf("  RSS before the incident   %8.1f MiB\n", rss_before / 1024.0);
  std::printf("  RSS peak during it        %8.1f MiB  (target < 512)\n", rss_peak / 1024.0);
  std::printf("  VmHWM (whole run)         %8.1f MiB\n", hwm / 1024.0);

  kill(pid, SIGTERM);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  if (absl::GetFlag(FLAGS_work_dir).empty()) std::filesystem::remove_all(dir);
  return all == absl::InfiniteDuration() ? 1 : 0;
}

}  // namespace
}  // namespace breachd::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return breachd::bench::Run();
}
