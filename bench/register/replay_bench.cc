// Replay speed of the register's projection: a rebuild from every event of its sources.
//
//   build/bench/replay_bench [--breaches=10000] [--consumer_breaches=500] [--threads=N]
//
// Generates --breaches breaches of 23 events each (report, triage, an action, an amendment, an
// assessment version of 7 events, 4 notification events, 8 reads by 4 people), then:
//   1. rebuilds as `breachctl admin rebuild` does (delivery::ProjectionRebuild's store side):
//      each event decoded once into a RebuildFold (grouped by breach, moved, never copied),
//      every breach folded once on --threads threads, the rows and consumed markers written to a
//      staged projection generation of a store on the real disk in unsynced batches of 10,000,
//      then swapped in (one sync);
//   2. as the peer, applies the events of --consumer_breaches breaches one at a time through the
//      RegisterConsumer (what the bus and catch-up do: each event refolds its breach).
// Prints events/s of each. Exits 1 if the rebuild is under --target events/s. Reading the
// sources over gRPC is not in it (the catch-up's own figures are in docs/benchmarks.md).
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "libs/common/testing/scratch_dir.h"
#include "services/register/register_consumer.h"
#include "services/register/register_rebuild.h"
#include "services/register/tests/breach_events.h"

ABSL_FLAG(int, breaches, 10000, "breaches in the rebuild");
ABSL_FLAG(int, consumer_breaches, 500, "breaches applied event by event, the peer");
ABSL_FLAG(double, target, 200000, "events/s the one-pass rebuild must reach");
ABSL_FLAG(int, threads, static_cast<int>(std::thread::hardware_concurrency()),
          "threads folding the breaches");

namespace breachd::bench {
namespace {

using breach::v1::EventEnvelope;
using register_::testing::SourceEvents;

// CPU seconds this process has used so far, every thread (RocksDB's flushes included): on a
// shared machine, what the work costs whatever the others take of the cores.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
         usage.ru_stime.tv_usec / 1e6;
}

std::vector<EventEnvelope> Breaches(int count, int first) {
  std::vector<EventEnvelope> events;
  for (int i = first; i < first + count; ++i) {
    const std::string id = absl::StrFormat("01JQ%022d", i);
    SourceEvents intake("intake", id), assessment("assessment", id),
        notification("notification", id), reads("register", id);
    register_::testing::AddReportToDecision(intake, assessment);
    intake.Add(6, breach::v1::ReportAmended());
    register_::testing::AddAuthorityNotification(notification, 7);
    const char* views[] = {"register-entry", "timeline", "report", "register-entry"};
    for (int r = 0; r < 8; ++r) {
      breach::v1::BreachViewed viewed;
      viewed.set_view(views[r % 4]);
      reads.Add(11 + r, viewed);
    }
    for (const auto* source : {&intake.events(), &assessment.events(), &notification.events(),
                               &reads.events()}) {
      events.insert(events.end(), source->begin(), source->end());
    }
  }
  return events;
}

int Run() {
  absl::TimeZone rome = register_::testing::Rome();
  ::breachd::testing::ScratchDir scratch("replay-bench");
  const std::vector<EventEnvelope> events = Breaches(absl::GetFlag(FLAGS_breaches), 0);

  auto rebuilt = eventstore::EventStore::Open(scratch.path() + "/rebuilt");
  if (!rebuilt.ok()) return 1;
  eventstore::EventStore& store = **rebuilt;
  constexpr size_t kBatch = 10000;
  const absl::Time start = absl::Now();
  const double cpu_start = CpuSeconds();
  auto generation = store.StageProjection();
  if (!generation.ok()) return 1;
  register_::RebuildFold fold(rome, absl::GetFlag(FLAGS_threads), kBatch);
  std::vector<std::string> markers;
  for (const EventEnvelope& event : events) {
    markers.push_back(event.event_id());
    // A copy stands for the decoding of the event read from its source.
    if (!fold.Add(event).ok()) return 1;
    if (markers.size() == kBatch) {
      if (!store.WriteStagedProjection(*generation, {}, markers).ok()) return 1;
      markers.clear();
    }
  }
  if (!store.WriteStagedProjection(*generation, {}, markers).ok()) return 1;
  const absl::Duration decoded = absl::Now() - start;
  std::atomic<size_t> rows{0};
  absl::Status taken = fold.TakeRows([&](std::vector<eventstore::ProjectionWrite> chunk) {
    rows += chunk.size();
    return store.WriteStagedProjection(*generation, chunk, {});
  });
  if (!taken.ok() || !store.SwapProjection(*generation).ok()) return 1;
  const absl::Duration total = absl::Now() - start;
  const double rate = events.size() / absl::ToDoubleSeconds(total);
  const double cpu = CpuSeconds() - cpu_start;

  const std::vector<EventEnvelope> peer_events =
      Breaches(absl::GetFlag(FLAGS_consumer_breaches), 1000000);
  auto consumed = eventstore::EventStore::Open(scratch.path() + "/consumed");
  if (!consumed.ok()) return 1;
  register_::RegisterConsumer consumer(**consumed, rome);
  const absl::Time peer_start = absl::Now();
  const double peer_cpu_start = CpuSeconds();
  for (const EventEnvelope& event : peer_events) {
    if (!consumer.ApplyConsumed(event).ok()) return 1;
  }
  if (!consumer.MakeAppliedDurable().ok()) return 1;
  const double peer_rate = peer_events.size() / absl::ToDoubleSeconds(absl::Now() - peer_start);
  const double peer_cpu = CpuSeconds() - peer_cpu_start;

  std::printf("rebuild of %zu events (%d breaches, %d threads): events in %.0f ms, %zu rows "
              "folded and written, swapped in %.0f ms total\n",
              events.size(), absl::GetFlag(FLAGS_breaches), absl::GetFlag(FLAGS_threads),
              absl::ToDoubleMilliseconds(decoded), rows.load(), absl::ToDoubleMilliseconds(total));
  std::printf("  rebuild:            %9.0f events/s\n", rate);
  std::printf("  consumer, 1 by 1:   %9.0f events/s (%zu events)\n", peer_rate, peer_events.size());
  std::printf("  CPU per event: rebuild %.1f us, consumer %.1f us (%.1fx); the rebuild on 2 "
              "idle cores at most %.0f events/s\n",
              1e6 * cpu / events.size(), 1e6 * peer_cpu / peer_events.size(),
              (peer_cpu / peer_events.size()) / (cpu / events.size()), 2 * events.size() / cpu);
  std::printf("  ratio rebuild / consumer: %.1fx; target %.0f events/s -> %s\n", rate / peer_rate,
              absl::GetFlag(FLAGS_target), rate >= absl::GetFlag(FLAGS_target) ? "met" : "NOT met");
  return rate >= absl::GetFlag(FLAGS_target) ? 0 : 1;
}

}  // namespace
}  // namespace breachd::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return breachd::bench::Run();
}
