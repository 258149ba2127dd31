// What a register takeover costs with a long history (docs/scaling.md, "Takeover time"). A
// source store of N events (breaches of `--events_per_breach` events, keyed by breach id) is
// served by the real EventFeedService over gRPC; a consumer runs the real Subscription with a
// PartitionOwnership on an embedded Kafka cluster of `--partitions` partitions, applying like the
// register (an event of a breach not held is skipped, a known event id costs a lookup, a new one
// is marked consumed in the consumer's RocksDB store). The consumer alone in its group gains
// every partition; its store says what it held before. Three starts, each timed from the
// group's assignment until every partition is served:
//   full      nothing held has a checkpoint: every event read from the first (what a takeover
//             cost before the partition filter: every source read again from the first event;
//             the half it held costs a lookup each, the gained half is applied)
//   takeover  the half it held has its checkpoints at the head: only the gained half is read
//   restart   every partition has its checkpoint at the head: nothing is read
// Then the feed alone (every event, the gained half, one partition, through SourceReader) and
// the store alone (ReadAll against ReadStreams).
//
//   build/bench/takeover_bench [--events=200000] [--events_per_breach=23] [--partitions=12]
#include <cstdio>
#include <filesystem>
#include <set>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/server_builder.h"
#include "libs/bus/embedded_broker.h"
#include "libs/bus/partition_ownership.h"
#include "libs/common/ids.h"
#include "libs/delivery/event_feed_service.h"
#include "libs/delivery/source_reader.h"
#include "libs/delivery/subscription.h"
#include "libs/eventstore/tests/event_store_fixture.h"

ABSL_FLAG(int64_t, events, 200000, "Events in the source store (1..10,000,000)");
ABSL_FLAG(int32_t, events_per_breach, 23, "Events of one breach (1..1000)");
ABSL_FLAG(int32_t, partitions, 12, "Partitions of breach.events.v1 (2..64)");
ABSL_FLAG(std::string, work_dir, "", "Folder for the stores (default: the current folder)");

namespace breachd::bench {
namespace {

constexpr char kToken[] = "bench-service-token";

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<eventstore::EventStore> source;
  std::unique_ptr<auth::IdentityStore> identities;
  std::unique_ptr<delivery::EventFeedService> feed;
  std::unique_ptr<grpc::Server> server;
  std::string address;
  std::unique_ptr<bus::EmbeddedBroker> broker;
  std::set<int32_t> held;  // the partitions the consumer held before (the lower half)
};

absl::Status Fill(Fixture& fixture, int64_t events, int32_t per_breach) {
  eventstore::Options options;
  options.sync = false;
  auto store = eventstore::EventStore::Open((fixture.dir / "source").string(), options);
  if (!store.ok()) return store.status();
  fixture.source = *std::move(store);
  std::string breach;
  for (int64_t i = 0; i < events; ++i) {
    if (i % per_breach == 0) breach = NewUlid(absl::Now());
    eventstore::AppendRequest append = eventstore::testing::MakeAppend(breach, 1);
    append.publish = false;
    append.events[0].mutable_payload()->set_value(std::string(600, 'x'));  // a report's size
    if (auto appended = fixture.source->Append(std::move(append)); !appended.ok()) {
      return appended.status();
    }
  }
  return fixture.source->WriteProjection({}, /*sync=*/true);
}

absl::Status Serve(Fixture& fixture) {
  auto identities = auth::IdentityStore::Parse(absl::StrCat(
      R"({"tenants": [], "tokens": [{"token": ")", kToken,
      R"(", "subject": "service:bench", "tenant": "provider", "roles": ["service"]}]})"));
  if (!identities.ok()) return identities.status();
  fixture.identities = std::make_unique<auth::IdentityStore>(*std::move(identities));
  fixture.feed = std::make_unique<delivery::EventFeedService>(
      std::map<std::string, service::HostedStore>{{"intake", {fixture.source.get(), nullptr}}},
      *fixture.identities, SystemClock::Get());
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(fixture.feed.get());
  fixture.server = builder.BuildAndStart();
  if (!fixture.server || port == 0) return absl::InternalError("the feed did not start");
  fixture.address = absl::StrCat("127.0.0.1:", port);
  return absl::OkStatus();
}

// A consumer store as the instance left it: the held partitions' events applied (marked
// consumed); their checkpoints at the head for the partitions in `checkpointed`.
absl::StatusOr<std::unique_ptr<eventstore::EventStore>> ConsumerStore(
    const Fixture& fixture, const std::string& name, const std::set<int32_t>& checkpointed,
    int32_t count) {
  auto store = eventstore::EventStore::Open((fixture.dir / name).string());
  if (!store.ok()) return store.status();
  absl::Status status = fixture.source->ReadAll(
      1, [&](const eventstore::EventEnvelope& event) -> absl::StatusOr<bool> {
        if (!fixture.held.contains(bus::PartitionOfKey(event.stream_id(), count))) return true;
        auto applied = (*store)->ApplyConsumed(event.event_id(), {}, /*sync=*/false);
        if (!applied.ok()) return applied.status();
        return true;
      });
  if (!status.ok()) return status;
  std::vector<eventstore::ProjectionWrite> rows;
  for (int32_t partition : checkpointed) {
    rows.push_back({delivery::PartitionCheckpointKey("intake", count, partition),
                    absl::StrCat(fixture.source->LastPosition())});
  }
  if (absl::Status written = (*store)->WriteProjection(rows, /*sync=*/true); !written.ok()) {
    return written;
  }
  return store;
}

struct Takeover {
  absl::Duration to_served;
  uint64_t read = 0;     // events the subscription was handed
  uint64_t applied = 0;  // of them, new
};

absl::StatusOr<Takeover> Start(Fixture& fixture, const std::string& name,
                               const std::set<int32_t>& checkpointed, int32_t count) {
  auto store = ConsumerStore(fixture, name, checkpointed, count);
  if (!store.ok()) return store.status();
  eventstore::EventStore& consumer = **store;
  bus::PartitionOwnership ownership;
  std::atomic<uint64_t> read{0}, applied{0};
  delivery::SubscriptionOptions options;
  options.consumer = "register";
  options.bus.group_id = absl::StrCat("bench-", name);
  options.sources = {{"intake", fixture.address}};
  options.token = kToken;
  options.credentials = grpc::InsecureChannelCredentials();
  options.ownership = &ownership;
  delivery::ConsumerHooks hooks;
  hooks.apply = [&](const breach::v1::EventEnvelope& event) -> absl::StatusOr<bool> {
    ++read;
    // As the register: another instance's breach is skipped, a known event costs a lookup.
    if (!ownership.Applies(event.stream_id())) return false;
    auto consumed = consumer.WasConsumed(event.event_id());
    if (!consumed.ok()) return consumed.status();
    if (*consumed) return false;
    auto fresh = consumer.ApplyConsumed(event.event_id(), {}, /*sync=*/false);
    if (fresh.ok() && *fresh) ++applied;
    return fresh;
  };
  hooks.make_durable = [&] { return consumer.WriteProjection({}, /*sync=*/true); };
  auto subscription =
      delivery::Subscription::Start(fixture.broker->Config(), options, consumer, hooks);
  if (!subscription.ok()) return subscription.status();
  // From the assignment: the group's join time is the bus's, the same before and after.
  while (ownership.view().partition_count == 0) absl::SleepFor(absl::Microseconds(200));
  const absl::Time assigned = absl::Now();
  while (static_cast<int32_t>(ownership.view().served.size()) < count) {
    if (absl::Now() - assigned > absl::Minutes(30)) return absl::DeadlineExceededError(name);
    absl::SleepFor(absl::Microseconds(200));
  }
  Takeover takeover{absl::Now() - assigned, read.load(), applied.load()};
  (*subscription)->Stop();
  return takeover;
}

absl::StatusOr<std::pair<absl::Duration, uint64_t>> FeedRead(const Fixture& fixture,
                                                             const std::set<int32_t>* partitions,
                                                             int32_t count) {
  delivery::SourceReader reader("intake", fixture.address, kToken,
                                grpc::InsecureChannelCredentials());
  breach::v1::PartitionFilter filter;
  filter.set_partition_count(count);
  if (partitions != nullptr) *filter.mutable_partitions() = {partitions->begin(), partitions->end()};
  uint64_t events = 0;
  const absl::Time start = absl::Now();
  auto head = reader.ReadAfter(
      0,
      [&](const std::vector<const breach::v1::EventEnvelope*>& batch, uint64_t) {
        events += batch.size();
        return absl::OkStatus();
      },
      partitions != nullptr ? &filter : nullptr);
  if (!head.ok()) return head.status();
  return std::make_pair(absl::Now() - start, events);
}

int Main() {
  const int64_t events = absl::GetFlag(FLAGS_events);
  const int32_t per_breach = absl::GetFlag(FLAGS_events_per_breach);
  const int32_t count = absl::GetFlag(FLAGS_partitions);
  if (events < 1 || events > 10'000'000 || per_breach < 1 || per_breach > 1000 || count < 2 ||
      count > 64) {
    std::fprintf(stderr, "--events 1..10000000, --events_per_breach 1..1000, --partitions 2..64\n");
    return 2;
  }
  Fixture fixture;
  std::filesystem::path base = absl::GetFlag(FLAGS_work_dir);
  if (base.empty()) base = std::filesystem::current_path();
  fixture.dir = base / ("breachd-takeover-bench-" + NewUlid(absl::Now()));
  std::filesystem::create_directories(fixture.dir);
  for (int32_t partition = 0; partition < count / 2; ++partition) fixture.held.insert(partition);
  std::set<int32_t> all;
  for (int32_t partition = 0; partition < count; ++partition) all.insert(partition);
  std::set<int32_t> gained;
  for (int32_t partition = count / 2; partition < count; ++partition) gained.insert(partition);

  absl::Time fill_start = absl::Now();
  absl::Status ready = Fill(fixture, events, per_breach);
  if (ready.ok()) ready = Serve(fixture);
  if (ready.ok()) {
    auto broker = bus::EmbeddedBroker::Start({.brokers = 1, .events_partitions = count});
    ready = broker.status();
    if (broker.ok()) fixture.broker = *std::move(broker);
  }
  if (!ready.ok()) {
    std::fprintf(stderr, "setup: %s\n", ready.ToString().c_str());
    return 1;
  }
  std::printf("%lld events, %d a breach, %d partitions (filled in %.1f s); the consumer held %d-%d\n",
              static_cast<long long>(events), per_breach, count,
              absl::ToDoubleSeconds(absl::Now() - fill_start), 0, count / 2 - 1);
  std::printf("%-10s %-12s %-12s %-12s %s\n", "start", "to-served", "events-read", "applied",
              "vs-full");
  double full_s = 0;
  for (const auto& [name, checkpointed] :
       std::vector<std::pair<std::string, std::set<int32_t>>>{
           {"full", {}}, {"takeover", fixture.held}, {"restart", all}}) {
    auto run = Start(fixture, name, checkpointed, count);
    if (!run.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), run.status().ToString().c_str());
      return 1;
    }
    const double seconds = absl::ToDoubleSeconds(run->to_served);
    if (name == "full") full_s = seconds;
    std::printf("%-10s %-12s %-12llu %-12llu %.3fx\n", name.c_str(),
                absl::StrCat(absl::ToInt64Milliseconds(run->to_served), " ms").c_str(),
                static_cast<unsigned long long>(run->read),
                static_cast<unsigned long long>(run->applied), seconds / full_s);
    std::fflush(stdout);
  }
  std::printf("\nthe feed alone (SourceReader over gRPC, nothing applied)\n%-22s %-10s %-10s %s\n",
              "read", "time", "events", "events/s");
  const std::set<int32_t> one = {count - 1};
  for (const auto& [name, partitions] : std::vector<std::pair<std::string, const std::set<int32_t>*>>{
           {"every event", nullptr},
           {absl::StrCat(gained.size(), " of ", count, " partitions"), &gained},
           {absl::StrCat("1 of ", count, " partitions"), &one}}) {
    auto read = FeedRead(fixture, partitions, count);
    if (!read.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), read.status().ToString().c_str());
      return 1;
    }
    std::printf("%-22s %-10s %-10llu %.0f\n", name.c_str(),
                absl::StrCat(absl::ToInt64Milliseconds(read->first), " ms").c_str(),
                static_cast<unsigned long long>(read->second),
                read->second / absl::ToDoubleSeconds(read->first));
  }
  std::printf("\nthe store alone (ReadAll, ReadStreams: no gRPC)\n");
  for (const auto& [name, partitions] : std::vector<std::pair<std::string, const std::set<int32_t>*>>{
           {"every event", nullptr},
           {absl::StrCat(gained.size(), " of ", count, " partitions"), &gained},
           {absl::StrCat("1 of ", count, " partitions"), &one}}) {
    uint64_t events = 0;
    const auto count_event = [&](const eventstore::EventEnvelope&) -> absl::StatusOr<bool> {
      ++events;
      return true;
    };
    const absl::Time start = absl::Now();
    const absl::Status read =
        partitions == nullptr
            ? fixture.source->ReadAll(1, count_event)
            : fixture.source->ReadStreams(
                  1,
                  [&](std::string_view stream) {
                    return partitions->contains(bus::PartitionOfKey(stream, count));
                  },
                  count_event);
    const absl::Duration took = absl::Now() - start;
    if (!read.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), read.ToString().c_str());
      return 1;
    }
    std::printf("%-22s %-10s %-10llu %.0f\n", name.c_str(),
                absl::StrCat(absl::ToInt64Milliseconds(took), " ms").c_str(),
                static_cast<unsigned long long>(events), events / absl::ToDoubleSeconds(took));
  }
  fixture.server->Shutdown();
  fixture.source.reset();
  std::error_code ignored;
  std::filesystem::remove_all(fixture.dir, ignored);
  return 0;
}

}  // namespace
}  // namespace breachd::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return breachd::bench::Main();
}
