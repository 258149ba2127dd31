// Replay speed of the register's projection: a rebuild from every event of its sources.
//
//   build/bench/replay_bench [--breaches=10000] [--consumer_breaches=500]
//
// Generates --breaches breaches of 22 events each (report, triage, an action, an amendment, an
// assessment version of 7 events, 4 notification events, 8 reads by 4 people), then:
//   1. folds them in one pass (RebuildRows: each breach's entry and knowledge folded once) and
//      writes the rows to a store on the real disk in unsynced batches of 10,000, synced once;
//   2. as the peer, applies the events of --consumer_breaches breaches one at a time through the
//      RegisterConsumer (what the bus and catch-up do: each event refolds its breach).
// Prints events/s of each. Exits 1 if the one-pass rebuild is under --target events/s.
#include <cstdio>
#include <string>
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

namespace breachd::bench {
namespace {

using breach::v1::EventEnvelope;
using register_::testing::SourceEvents;

std::vector<EventEnvelope> Breaches(int count, int first) {
  std::vector<EventEnvelope> events;
  for (int i = first; i < first + count; ++i) {
    const std::string id = absl::StrFormat("01JQ%022d", i);
    SourceEvents intake("intake", id), assessment("assessment", id),
        notification("notification", id), reads("register", id);
    register_::testing::AddReportToDecision(intake, assessment);
    intake.Add(6, breach::v1::ReportAmended());
    breach::v1::ClockArmed armed;
    armed.mutable_deadline()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
    armed.mutable_deadline()->mutable_due_at()->set_seconds(register_::testing::kOrigin + 259200);
    breach::v1::DraftPrepared draft;
    draft.mutable_draft()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
    draft.mutable_draft()->set_draft_version(1);
    breach::v1::DispatchQueued queued;
    queued.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
    queued.set_draft_version(1);
    breach::v1::DutySubmitted submitted;
    submitted.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
    notification.Add(7, armed).Add(8, draft).Add(9, queued).Add(10, submitted);
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
  const absl::Time start = absl::Now();
  auto rows = register_::RebuildRows(events, rome);
  if (!rows.ok()) return 1;
  const absl::Duration folded = absl::Now() - start;
  constexpr size_t kBatch = 10000;
  for (size_t at = 0; at < rows->size(); at += kBatch) {
    std::vector<eventstore::ProjectionWrite> batch(
        rows->begin() + at, rows->begin() + std::min(rows->size(), at + kBatch));
    if (!(*rebuilt)->WriteProjection(batch, /*sync=*/false).ok()) return 1;
  }
  if (!(*rebuilt)->WriteProjection({}, /*sync=*/true).ok()) return 1;
  const absl::Duration total = absl::Now() - start;
  const double rate = events.size() / absl::ToDoubleSeconds(total);

  const std::vector<EventEnvelope> peer_events =
      Breaches(absl::GetFlag(FLAGS_consumer_breaches), 1000000);
  auto consumed = eventstore::EventStore::Open(scratch.path() + "/consumed");
  if (!consumed.ok()) return 1;
  register_::RegisterConsumer consumer(**consumed, rome);
  const absl::Time peer_start = absl::Now();
  for (const EventEnvelope& event : peer_events) {
    if (!consumer.ApplyConsumed(event).ok()) return 1;
  }
  if (!consumer.MakeAppliedDurable().ok()) return 1;
  const double peer_rate = peer_events.size() / absl::ToDoubleSeconds(absl::Now() - peer_start);

  std::printf("one-pass rebuild of %zu events (%d breaches): fold %.0f ms, %zu rows written in "
              "%.0f ms total\n",
              events.size(), absl::GetFlag(FLAGS_breaches), absl::ToDoubleMilliseconds(folded),
              rows->size(), absl::ToDoubleMilliseconds(total));
  std::printf("  rebuild:            %9.0f events/s\n", rate);
  std::printf("  consumer, 1 by 1:   %9.0f events/s (%zu events)\n", peer_rate, peer_events.size());
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
