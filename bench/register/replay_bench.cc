// Replay speed of the register's projection: a rebuild from every event of its sources.
//
//   build/bench/replay_bench [--breaches=10000] [--consumer_breaches=500] [--threads=N]
//                            [--events_in_memory=1000000]
//
// Generates --breaches breaches of 23 events each (report, triage, an action, an amendment, an
// assessment version of 7 events, 4 notification events, 8 reads by 4 people), source by source
// as a rebuild reads them (every intake event, then assessment's, ...), a few hundred breaches at
// a time: the bench holds no history of its own. Then:
//   1. rebuilds as `breachctl admin rebuild` does (delivery::ProjectionRebuild's store side):
//      each event copied once into a RebuildFold (grouped by breach, in an arena), every breach
//      folded once on --threads threads, the rows and consumed markers written to a staged
//      projection generation of a store on the real disk in unsynced batches of 10,000, then
//      swapped in (one sync). A history of more than --events_in_memory events goes in passes
//      over the sources, one share of the breaches each (bounded memory), as the rebuild does;
//      the generation of the events is not counted (neither its time nor its CPU);
//   2. as the peer, applies the events of --consumer_breaches breaches one at a time through the
//      RegisterConsumer (what the bus and catch-up do: each event refolds its breach).
// Prints events/s of each, and the peak resident memory (VmHWM) at the end of the rebuild.
// Exits 1 if the rebuild is under --target events/s. Reading the sources over gRPC is not in it
// (the catch-up's own figures are in docs/benchmarks.md).
#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/delivery/projection_rebuild.h"
#include "services/register/register_consumer.h"
#include "services/register/register_rebuild.h"
#include "services/register/tests/breach_events.h"

ABSL_FLAG(int, breaches, 10000, "breaches in the rebuild");
ABSL_FLAG(int, consumer_breaches, 500, "breaches applied event by event, the peer");
ABSL_FLAG(double, target, 200000, "events/s the one-pass rebuild must reach");
ABSL_FLAG(int, threads, static_cast<int>(std::thread::hardware_concurrency()),
          "threads folding the breaches");
ABSL_FLAG(bool, pregenerate, false,
          "generate the whole history first, breach by breach (as the bench did before "
          "2026-11-30: an easier order for the allocator and the caches than a rebuild's)");
ABSL_FLAG(uint64_t, events_in_memory, breachd::delivery::kDefaultEventsInMemory,
          "events the fold may hold; a larger history goes in passes of one share each");

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

// CPU seconds of the calling thread only: the generation of the events, to leave out.
double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec + now.tv_nsec / 1e9;
}

// Peak resident memory of the process so far, in MiB (VmHWM).
double PeakResidentMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024;
  }
  return 0;
}

constexpr int kEventsPerBreach = 23;
const char* const kSources[] = {"intake", "assessment", "notification", "register"};

// The events of breaches [first, first + count); of `source` only unless it is empty.
std::vector<EventEnvelope> Breaches(int count, int first, const std::string& source = "") {
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
    for (const SourceEvents* stream : {&intake, &assessment, &notification, &reads}) {
      if (!source.empty() && stream->events().front().source() != source) continue;
      events.insert(events.end(), stream->events().begin(), stream->events().end());
    }
  }
  return events;
}

int Run() {
  absl::TimeZone rome = register_::testing::Rome();
  ::breachd::testing::ScratchDir scratch("replay-bench");
  const int breaches = absl::GetFlag(FLAGS_breaches);
  const uint64_t events = static_cast<uint64_t>(breaches) * kEventsPerBreach;
  const uint64_t budget = std::max<uint64_t>(1, absl::GetFlag(FLAGS_events_in_memory));
  const uint64_t passes = (events + budget - 1) / budget;

  auto rebuilt = eventstore::EventStore::Open(scratch.path() + "/rebuilt");
  if (!rebuilt.ok()) return 1;
  eventstore::EventStore& store = **rebuilt;
  constexpr size_t kBatch = 10000;
  constexpr int kBreachesPerRead = 500;  // a source read a few thousand events at a time
  absl::Duration generating;
  double generating_cpu = 0;
  const std::vector<EventEnvelope> pregenerated =
      absl::GetFlag(FLAGS_pregenerate) ? Breaches(breaches, 0) : std::vector<EventEnvelope>();
  const absl::Time start = absl::Now();
  const double cpu_start = CpuSeconds();
  auto generation = store.StageProjection();
  if (!generation.ok()) return 1;
  register_::RebuildFold fold(rome, absl::GetFlag(FLAGS_threads), kBatch);
  std::vector<std::string> markers;
  std::atomic<size_t> rows{0};
  size_t most_held = 0;
  absl::Duration reading, folding;  // of the wall clock: events in, rows out (generation left out)
  auto add = [&](const std::vector<EventEnvelope>& read) {
    for (const EventEnvelope& event : read) {
      // The copy into the fold is what the rebuild does with each event it reads.
      absl::StatusOr<bool> taken = fold.Add(event);
      if (!taken.ok()) return false;
      if (*taken) markers.push_back(event.event_id());
      if (markers.size() == kBatch) {
        if (!store.WriteStagedProjection(*generation, {}, std::exchange(markers, {})).ok()) {
          return false;
        }
      }
    }
    return true;
  };
  for (uint64_t share = 0; share < passes; ++share) {
    if (passes > 1) fold.Restrict(service::FoldShare::OneOf(share, passes));
    if (absl::GetFlag(FLAGS_pregenerate) && !add(pregenerated)) return 1;
    for (const char* source : kSources) {
      for (int first = 0; first < breaches && pregenerated.empty(); first += kBreachesPerRead) {
        const absl::Time generate_start = absl::Now();
        const double generate_cpu = ThreadCpuSeconds();
        const std::vector<EventEnvelope> read =
            Breaches(std::min(kBreachesPerRead, breaches - first), first, source);
        generating += absl::Now() - generate_start;
        generating_cpu += ThreadCpuSeconds() - generate_cpu;
        if (!add(read)) return 1;
      }
    }
    if (!store.WriteStagedProjection(*generation, {}, std::exchange(markers, {})).ok()) return 1;
    const absl::Time folding_start = absl::Now();
    reading = folding_start - start - generating - folding;
    most_held = std::max(most_held, fold.events_held());
    absl::Status taken = fold.TakeRows([&](std::vector<eventstore::ProjectionWrite> chunk) {
      rows += chunk.size();
      return store.WriteStagedProjection(*generation, std::move(chunk), {});
    });
    if (!taken.ok()) return 1;
    folding += absl::Now() - folding_start;
  }
  const absl::Time swap_start = absl::Now();
  if (!store.SwapProjection(*generation).ok()) return 1;
  const absl::Duration swapping = absl::Now() - swap_start;
  const absl::Duration total = absl::Now() - start - generating;
  const double rate = events / absl::ToDoubleSeconds(total);
  const double cpu = CpuSeconds() - cpu_start - generating_cpu;
  const double peak_mib = PeakResidentMiB();

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

  std::printf("rebuild of %lu events (%d breaches, %d threads, %lu pass(es), at most %zu events "
              "held): %zu rows folded and written, swapped in %.0f ms (generation left out)\n",
              static_cast<unsigned long>(events), breaches, absl::GetFlag(FLAGS_threads),
              static_cast<unsigned long>(passes), most_held, rows.load(),
              absl::ToDoubleMilliseconds(total));
  std::printf("  rebuild:            %9.0f events/s; peak resident memory (VmHWM) %.0f MiB\n",
              rate, peak_mib);
  std::printf("  wall clock: events read into the fold %.0f ms, folded %.0f ms, swap %.0f ms\n",
              absl::ToDoubleMilliseconds(reading), absl::ToDoubleMilliseconds(folding),
              absl::ToDoubleMilliseconds(swapping));
  std::printf("  consumer, 1 by 1:   %9.0f events/s (%zu events)\n", peer_rate, peer_events.size());
  std::printf("  CPU per event: rebuild %.1f us, consumer %.1f us (%.1fx); the rebuild on 2 "
              "idle cores at most %.0f events/s\n",
              1e6 * cpu / events, 1e6 * peer_cpu / peer_events.size(),
              (peer_cpu / peer_events.size()) / (cpu / events), 2 * events / cpu);
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
