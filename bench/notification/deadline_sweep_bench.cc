// The notification service's deadline sweep at scale: 10,000 breaches, each with an armed
// authority clock whose 50 % warning is due, fired by one DeadlineSweep::Sweep: every clock's
// DeadlineWarning event on its own breach's stream, with the clock row and the timer's removal,
// 500 breaches per atomic, synced write (EventStore::AppendAcrossStreams). The peer, in the same
// run, is the bare timer library: the same 10,000 timers fired as events on one stream, 500 per
// synced Append (bench/timers does the same). Target (issue 11): the sweep and its events in
// under 2 s.
//
//   build/bench/deadline_sweep_bench [runs]
//
// The stores live under $TEST_TMPDIR (default: the system temp dir), which must be on a real
// disk: on tmpfs fsync is free and the figures mean nothing.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/proto_time.h"
#include "libs/common/striped_mutex.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/eventstore/event_store.h"
#include "libs/timers/durable_timers.h"
#include "libs/timers/testing/fire_timers.h"
#include "services/notification/clock_planner.h"
#include "services/notification/deadline_sweep.h"
#include "services/notification/notification_schema.h"
#include "services/notification/stream_change.h"

namespace breachd::notification {
namespace {

constexpr int kClocks = 10000;
const absl::Time kAware = absl::FromUnixSeconds(1774602000);

void Die(const absl::Status& status) {
  std::fprintf(stderr, "deadline_sweep_bench: %s\n", status.ToString().c_str());
  std::exit(1);
}

breach::v1::DutyClock ArmedClock(int i) {
  breach::v1::DutyClock clock;
  clock.set_breach_id(absl::StrCat("01JBENCH", 100000 + i));
  clock.set_tenant("MIIS01200V");
  clock.set_armed(true);
  breach::v1::Deadline& deadline = *clock.mutable_deadline();
  deadline.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  deadline.set_regime("gdpr-it@2026-11");
  *deadline.mutable_starts_at() = ProtoFromTime(kAware);
  *deadline.mutable_due_at() = ProtoFromTime(kAware + absl::Hours(72));
  auto* warning = deadline.add_warnings();
  warning->set_fraction(0.5);
  *warning->mutable_at() = ProtoFromTime(kAware + absl::Hours(36) + absl::Seconds(i % 60));
  return clock;
}

// Seconds for one sweep of the notification service over 10,000 due clocks.
double SweepClocks() {
  ::breachd::testing::ScratchDir dir("deadline-sweep-bench");
  auto store = eventstore::EventStore::Open(dir.path());
  if (!store.ok()) Die(store.status());
  std::vector<eventstore::ProjectionWrite> rows;
  for (int i = 0; i < kClocks; ++i) {
    const breach::v1::DutyClock clock = ArmedClock(i);
    rows.push_back({ClockKey(clock.breach_id(), clock.deadline().duty()), clock.SerializeAsString()});
    if (absl::Status armed = AddClockTimers(**store, clock, rows); !armed.ok()) Die(armed);
    if (rows.size() > 5000) {
      if (absl::Status written = (*store)->WriteProjection(rows, false); !written.ok()) Die(written);
      rows.clear();
    }
  }
  if (absl::Status written = (*store)->WriteProjection(rows, true); !written.ok()) Die(written);
  StripedMutex<> locks;
  DeadlineSweep sweep(**store, locks, [] {});
  const absl::Time started = absl::Now();
  auto next = sweep.Sweep(kAware + absl::Hours(37));
  const double seconds = absl::ToDoubleSeconds(absl::Now() - started);
  if (!next.ok()) Die(next.status());
  // Each clock still has its due-time timer; every warning was told once.
  auto warned = (*store)->ReadStream(ArmedClock(kClocks - 1).breach_id());
  if (!warned.ok() || warned->size() != 1) Die(absl::InternalError("a clock was not warned"));
  return seconds;
}

// Seconds for the bare timers: the same 10,000 fired as events on one stream.
double SweepBareTimers() {
  ::breachd::testing::ScratchDir dir("timers-peer-bench");
  auto store = eventstore::EventStore::Open(dir.path());
  if (!store.ok()) Die(store.status());
  std::vector<eventstore::ProjectionWrite> rows;
  for (int i = 0; i < kClocks; ++i) {
    auto armed = timers::ArmTimer(**store, absl::StrCat("clock/", i), kAware + absl::Seconds(i),
                                  "warning");
    if (!armed.ok()) Die(armed.status());
    rows.insert(rows.end(), armed->begin(), armed->end());
  }
  if (absl::Status written = (*store)->WriteProjection(rows, true); !written.ok()) Die(written);
  const absl::Time now = kAware + absl::Hours(37);
  const absl::Time started = absl::Now();
  auto due = timers::DueTimers(**store, now, kClocks);
  if (!due.ok()) Die(due.status());
  if (absl::Status fired = timers::testing::AppendFired(**store, "timers", now, *due, 500);
      !fired.ok()) {
    Die(fired);
  }
  return absl::ToDoubleSeconds(absl::Now() - started);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace
}  // namespace breachd::notification

int main(int argc, char** argv) {
  using namespace breachd::notification;  // NOLINT
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  std::vector<double> clocks, bare;
  for (int run = 0; run < runs; ++run) {
    clocks.push_back(SweepClocks());
    bare.push_back(SweepBareTimers());
  }
  const double c = Median(clocks), b = Median(bare);
  std::printf("10,000 due clocks, one sweep (median of %d):\n", runs);
  std::printf("  notification DeadlineSweep: %7.0f ms  (%.0f warnings/s)\n", c * 1000, kClocks / c);
  std::printf("  bare timers, one stream:    %7.0f ms  (%.0f events/s)\n", b * 1000, kClocks / b);
  std::printf("  ratio sweep / bare:         %7.2fx  target: sweep < 2000 ms -> %s\n", c / b,
              c < 2.0 ? "met" : "MISSED");
  return 0;
}
