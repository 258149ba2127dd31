// Resident memory of an all-in-one breachd at rest: starts `breachd --services=all
// --kafka=embedded`, waits until it serves (--ready_file), lets it idle, reads VmRSS, then
// stops it with SIGTERM and checks it exits 0.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace breachd::bench {

struct IdleRss {
  int64_t vm_rss_kib = 0;  // VmRSS after the idle period
  int64_t vm_hwm_kib = 0;  // VmHWM: the peak resident size so far (start-up included)
  absl::Duration startup;  // spawn -> ready file written
  int exit_code = -1;      // after SIGTERM; 128 + signal if killed by one
};

// A "Name:   1234 kB" line of /proc/PID/status (VmRSS, VmHWM), in KiB; -1 if missing.
int64_t ProcessStatusKib(int pid, const std::string& name);

// `data_dir` must not exist yet or be empty; breachd's logs go to `data_dir`/breachd.{out,err}.
absl::StatusOr<IdleRss> MeasureIdleRss(const std::string& breachd_path,
                                       const std::string& data_dir, absl::Duration idle);

}  // namespace breachd::bench
