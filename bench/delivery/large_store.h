// A large store for the benchmarks that restart or restore breachd: an intake store filled with
// N filed reports (as if published long ago), and an all-in-one breachd started on it and watched
// until its consumers have caught up with every one. Shared by restart_bench and backup_bench.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/admin.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "tests/testing/process.h"

namespace breachd::bench {

// For each store size of an --events flag (each at least `min_events`): a new data folder
// `work_dir`/`name`-<ulid> (the current folder when `work_dir` is empty) holding the dev identity
// of testing::WriteTwoSchoolIdentity and an intake store of that many BreachReported events, not
// in its outbox (a consumer starting on it must catch them up from the store, as after a long
// outage); runs `measure` on it, then removes it. Returns the bench's exit code: 2 for a bad
// flag, 1 when filling or `measure` fails (the folder is then kept and named), else 0.
using MeasureStore = std::function<absl::Status(const std::filesystem::path& dir, int64_t events)>;
int ForEachFilledStore(const std::vector<std::string>& events_flag, int64_t min_events,
                       const std::string& work_dir, const std::string& name,
                       const MeasureStore& measure);

struct RunningBreachd {
  testing::ChildProcess process;
  std::string endpoint;   // host:port of its gRPC listener (plaintext, --insecure)
  absl::Time spawned;
  absl::Duration to_ready;  // spawn -> ready file written
};

// Starts `breachd_path --services=all --kafka=embedded` on `dir` (dev identity written by
// testing::WriteTwoSchoolIdentity must already be in `dir`/identity.json) with `extra_flags`,
// and waits until it writes its ready file.
absl::StatusOr<RunningBreachd> StartAllInOne(const std::string& breachd_path,
                                             const std::filesystem::path& dir,
                                             const std::vector<std::string>& extra_flags = {});

// Waits until every consumer of the intake's store (register, assessment, notification) has
// applied it through at least `events` events with no lag, after a catch-up in this run; returns
// how many events they re-read from the store in this run, summed.
absl::StatusOr<uint64_t> WaitCaughtUp(RunningBreachd& breachd, int64_t events,
                                      absl::Duration timeout);

// One call to breachd's AdminService at `endpoint` (plaintext) as the operator of
// testing::WriteTwoSchoolIdentity, within `deadline`: call `stub->Method(&context, ...)`.
struct OperatorAdminCall {
  OperatorAdminCall(const std::string& endpoint, absl::Duration deadline);
  std::unique_ptr<breach::v1::AdminService::Stub> stub;
  grpc::ClientContext context;
};

std::string Ms(absl::Duration d);

}  // namespace breachd::bench
