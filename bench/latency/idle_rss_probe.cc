#include "bench/latency/idle_rss_probe.h"

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/testing/process.h"

namespace breachd::bench {
int64_t ProcessStatusKib(int pid, const std::string& name) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string key;
  while (status >> key) {
    if (key == name + ":") {
      int64_t kib = -1;
      status >> kib;
      return kib;
    }
    std::getline(status, key);  // rest of the line
  }
  return -1;
}

absl::StatusOr<IdleRss> MeasureIdleRss(const std::string& breachd_path,
                                       const std::string& data_dir, absl::Duration idle) {
  std::filesystem::create_directories(data_dir);
  const std::string ready_file = data_dir + "/ready.json";
  const absl::Time spawned = absl::Now();
  absl::StatusOr<testing::ChildProcess> child = testing::ChildProcess::Start(
      {breachd_path, "--services=all", "--kafka=embedded", "--data_dir=" + data_dir,
       "--listen=127.0.0.1:0", "--ready_file=" + ready_file, "--dev_identity", "--dev_tls",
       "--metrics_listen=127.0.0.1:0"},
      data_dir + "/breachd");
  if (!child.ok()) return child.status();

  IdleRss result;
  while (!std::filesystem::exists(ready_file)) {
    if (!child->Running()) {
      return absl::InternalError(absl::StrCat("breachd exited before serving: ", child->Stderr()));
    }
    if (absl::Now() - spawned > absl::Seconds(60)) {
      return absl::DeadlineExceededError("breachd did not write --ready_file within 60 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  result.startup = absl::Now() - spawned;
  absl::SleepFor(idle);
  result.vm_rss_kib = ProcessStatusKib(child->pid(), "VmRSS");
  result.vm_hwm_kib = ProcessStatusKib(child->pid(), "VmHWM");
  if (result.vm_rss_kib < 0) return absl::InternalError("cannot read VmRSS of breachd");

  const int status = child->Signal(SIGTERM);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace breachd::bench
