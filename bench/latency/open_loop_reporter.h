// Files Allegato A reports over gRPC at a fixed rate, open-loop: every send time is fixed in
// advance and latencies are measured from that scheduled time, so a slow call or a stalled
// sender shows up in the figures instead of silently lowering the offered load (no
// coordinated omission). Calls are asynchronous, so the rate holds while calls are slow.
//
// Two latencies per report: the ReportBreach call alone, and report-to-register (scheduled
// send to the register applying the report's BreachReported), fed in through OnApplied.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"

namespace breachd::bench {

using SteadyTime = std::chrono::steady_clock::time_point;

struct ReporterOptions {
  std::string endpoint;            // gRPC address of the intake service
  double reports_per_second = 500;
  absl::Duration warmup = absl::Seconds(3);     // sent at the same rate, not measured
  absl::Duration duration = absl::Seconds(20);  // measured
  int channels = 4;                // separate HTTP/2 connections, round-robin
  // Who files: reports alternate over these (token, tenant) pairs.
  std::vector<std::pair<std::string, std::string>> reporters;
  absl::Duration rpc_deadline = absl::Seconds(30);
  // After the last call returns, how long to wait for the register to catch up.
  absl::Duration drain_timeout = absl::Seconds(15);
};

struct ReporterResult {
  size_t measured_sent = 0;
  double offered_per_second = 0;    // measured sends / their actual send span
  double registered_per_second = 0; // measured reports applied / (last applied - first send)
  size_t late_sends = 0;            // sends that left more than 1 ms after their schedule
  size_t rpc_failed = 0;            // measured calls that did not return OK
  std::string first_rpc_error;
  size_t lost = 0;                  // OK calls whose BreachReported never reached the register
  std::vector<double> rpc_ms;       // scheduled send -> ReportBreach response
  std::vector<double> register_ms;  // scheduled send -> register applied BreachReported
};

class OpenLoopReporter {
 public:
  explicit OpenLoopReporter(ReporterOptions options);

  // Register observer: notes when a report's BreachReported was applied. Any thread.
  void OnApplied(const breach::v1::EventEnvelope& event);

  // Files one report and waits until the register applied it (consumer group joined, stores
  // warm). UNAVAILABLE if it did not happen within `timeout`.
  absl::Status Prime(absl::Duration timeout);

  // Runs warm-up and measurement; blocks until every call returned and the register caught up
  // (or drain_timeout passed).
  ReporterResult Run();

 private:
  struct Record {
    SteadyTime scheduled;
    SteadyTime sent;
    SteadyTime responded;
    bool done = false;
    bool ok = false;
    std::string breach_id;
    std::string error;
  };

  // Sends report `index` of the run asynchronously; `record` is filled on completion.
  void Send(size_t index, Record& record);
  bool AppliedAt(const std::string& breach_id, SteadyTime* at);
  // Waits until every OK record's breach is applied, or `deadline`.
  void AwaitRegister(const std::vector<Record>& records, SteadyTime deadline);

  const ReporterOptions options_;
  struct Clients;
  std::shared_ptr<Clients> clients_;
  std::string run_id_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, SteadyTime> applied_ ABSL_GUARDED_BY(mu_);
  size_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace breachd::bench
