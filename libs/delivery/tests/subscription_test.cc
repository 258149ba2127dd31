// A consumer's catch-up over real gRPC from a real store, through faults: the source down when
// the consumer starts, and the stream cut in the middle of a catch-up. Every event must be
// applied exactly once in the end, resuming from the checkpoint.
#include "libs/delivery/subscription.h"

#include <atomic>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "libs/bus/embedded_broker.h"
#include "libs/bus/outbox_relay.h"
#include "libs/common/proto_time.h"
#include "libs/common/testing/free_port.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/delivery/event_feed_service.h"
#include "libs/delivery/partition_filter.h"
#include "libs/delivery/projection_rebuild.h"
#include "libs/eventstore/tests/event_store_fixture.h"
#include "libs/service/store_outbox.h"

namespace breachd::delivery {
namespace {

using ::breachd::testing::FreeLocalPort;
using ::breachd::testing::ScratchDir;

constexpr char kServiceToken[] = "test-service-token";
constexpr int kEvents = 900;

// The consumer side of the test: applies each event id once, like a real projection.
class Projection {
 public:
  absl::StatusOr<bool> Apply(const breach::v1::EventEnvelope& event) {
    absl::MutexLock lock(&mu_);
    const bool fresh = ++seen_[event.event_id()] == 1;
    if (fresh && on_apply_) on_apply_(applied());
    return fresh;
  }
  size_t applied() const { return seen_.size(); }
  size_t Applied() const {
    absl::MutexLock lock(&mu_);
    return seen_.size();
  }
  int Deliveries() const {
    absl::MutexLock lock(&mu_);
    int total = 0;
    for (const auto& [id, count] : seen_) total += count;
    return total;
  }
  void OnApply(std::function<void(size_t applied)> hook) { on_apply_ = std::move(hook); }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, int> seen_;
  std::function<void(size_t)> on_apply_;
};

class SubscriptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    eventstore::Options unsynced;
    unsynced.sync = false;  // a fixture, filled fast
    ASSERT_OK_AND_ASSIGN(source_, eventstore::EventStore::Open(source_dir_.path(), unsynced));
    ASSERT_OK_AND_ASSIGN(consumer_, eventstore::EventStore::Open(consumer_dir_.path()));
    for (int i = 0; i < kEvents; ++i) {
      auto append = eventstore::testing::MakeAppend(absl::StrCat("stream-", i % 50), 1);
      // ~3.6 MB in all: more than gRPC buffers ahead of a slow reader.
      append.events[0].mutable_payload()->set_value(std::string(4000, 'x'));
      ASSERT_THAT(source_->Append(std::move(append)).status(), ::breachd::testing::IsOk());
    }
    ASSERT_OK_AND_ASSIGN(identities_, auth::IdentityStore::Parse(absl::StrCat(
                                          R"({"tenants": [], "tokens": [{"token": ")",
                                          kServiceToken,
                                          R"(", "subject": "service:test", "tenant": "provider",
                                              "roles": ["service"]}]})")));
    feed_ = std::make_unique<EventFeedService>(
        std::map<std::string, service::HostedStore>{{"intake", {source_.get(), nullptr}}},
        identities_, clock_);
    ASSERT_OK_AND_ASSIGN(broker_, bus::EmbeddedBroker::Start());
    port_ = FreeLocalPort();
  }

  void TearDown() override {
    if (subscription_) subscription_->Stop();
    StopServer();
  }

  void StartServer() {
    grpc::ServerBuilder builder;
    int bound = 0;
    builder.AddListeningPort(absl::StrCat("127.0.0.1:", port_), grpc::InsecureServerCredentials(),
                             &bound);
    builder.RegisterService(feed_.get());
    server_ = builder.BuildAndStart();
    ASSERT_EQ(bound, port_);
  }

  void StopServer() {
    if (!server_) return;
    server_->Shutdown(std::chrono::system_clock::now());  // cancels streams in flight
    server_->Wait();
    server_.reset();
  }

  void Subscribe(const Clock& clock = SystemClock::Get(),
                 absl::Duration sweep_interval = absl::Milliseconds(100),
                 bus::PartitionOwnership* ownership = nullptr) {
    SubscriptionOptions options;
    options.clock = &clock;
    options.consumer = "register";
    options.bus.group_id = "test-register";
    options.sources = {{"intake", absl::StrCat("127.0.0.1:", port_)}};
    options.token = kServiceToken;
    options.credentials = grpc::InsecureChannelCredentials();
    options.sweep_interval = sweep_interval;
    ConsumerHooks hooks;
    options.ownership = ownership;
    hooks.apply = [this, ownership](
                      const breach::v1::EventEnvelope& event) -> absl::StatusOr<bool> {
      // Partitioned: like the register, another instance's events are left unapplied.
      if (ownership != nullptr && !ownership->Applies(event.stream_id())) return false;
      return projection_.Apply(event);
    };
    hooks.make_durable = [this] { return consumer_->WriteProjection({}, /*sync=*/true); };
    ASSERT_OK_AND_ASSIGN(subscription_, Subscription::Start(broker_->Config(), std::move(options),
                                                            *consumer_, std::move(hooks)));
  }

  breach::v1::SourceDelivery IntakeRow() { return subscription_->Status().at(0); }

  bool WaitFor(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(30)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (!done()) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return true;
  }

  ScratchDir source_dir_{"source"};
  ScratchDir consumer_dir_{"consumer"};
  FakeClock clock_;
  std::unique_ptr<eventstore::EventStore> source_;
  std::unique_ptr<eventstore::EventStore> consumer_;
  auth::IdentityStore identities_;
  std::unique_ptr<EventFeedService> feed_;
  std::unique_ptr<bus::EmbeddedBroker> broker_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  Projection projection_;
  SimulatedClock sweep_clock_;  // outlives subscription_
  std::unique_ptr<Subscription> subscription_;
};

TEST_F(SubscriptionTest, SourceDownAtStartIsCaughtUpOnceItIsBack) {
  Subscribe();  // nothing listens on the source's address yet
  ASSERT_TRUE(WaitFor([&] { return !IntakeRow().last_error().empty(); }));
  EXPECT_THAT(IntakeRow().last_error(), ::testing::HasSubstr("UNAVAILABLE"));
  EXPECT_EQ(projection_.Applied(), 0u);

  StartServer();
  ASSERT_TRUE(WaitFor([&] { return projection_.Applied() == kEvents; }));
  ASSERT_TRUE(WaitFor([&] { return IntakeRow().last_error().empty(); }));
  EXPECT_EQ(IntakeRow().applied_through(), source_->LastPosition());
  EXPECT_EQ(IntakeRow().lag(), 0u);
  EXPECT_EQ(projection_.Deliveries(), kEvents);  // nothing applied twice
}

TEST_F(SubscriptionTest, StreamCutMidwayResumesFromTheCheckpoint) {
  StartServer();
  std::atomic<bool> cut{false};
  projection_.OnApply([&](size_t applied) {
    // A third of the way in, the source goes away under the open stream (the shutdown cancels
    // the stream; it does not wait for this reader).
    if (applied == kEvents / 3 && !cut.exchange(true)) StopServer();
  });
  Subscribe();
  ASSERT_TRUE(WaitFor([&] { return cut.load(); }));
  ASSERT_TRUE(WaitFor([&] { return !IntakeRow().last_error().empty(); }));
  // Usually the cut leaves events unread (checkpoint below the head); under load gRPC may
  // already have buffered the rest before the server went away. Either way what follows holds:
  // nothing lost, at most the batch in flight applied twice, the checkpoint durable.
  EXPECT_LE(IntakeRow().applied_through(), source_->LastPosition());

  StartServer();
  ASSERT_TRUE(WaitFor([&] { return projection_.Applied() == kEvents; }));
  ASSERT_TRUE(WaitFor([&] { return IntakeRow().applied_through() == source_->LastPosition(); }));
  // Resumed from the checkpoint: at most the batch in flight at the cut came twice.
  EXPECT_LE(projection_.Deliveries() - kEvents, static_cast<int>(kDefaultFeedBatch));
  // The checkpoint is in the consumer's store: a new subscription starts from it.
  subscription_->Stop();
  subscription_.reset();
  Subscribe();
  ASSERT_TRUE(WaitFor([&] { return IntakeRow().catch_ups() >= 1; }));
  EXPECT_EQ(IntakeRow().caught_up_events(), 0u);
}

TEST_F(SubscriptionTest, SweepsAndTheirTimesFollowTheSubscriptionsClock) {
  StartServer();
  const absl::Time start = sweep_clock_.Now();
  Subscribe(sweep_clock_, /*sweep_interval=*/absl::Hours(1));  // never, in real time
  ASSERT_TRUE(WaitFor([&] { return projection_.Applied() == kEvents; }));
  ASSERT_TRUE(WaitFor([&] { return IntakeRow().catch_ups() >= 1; }));
  EXPECT_EQ(TimeFromProto(IntakeRow().last_catch_up()), start);
  // The next sweep is an alarm an hour ahead on the simulated clock. Advanced until it has run
  // (the loop schedules it just after its first round).
  ASSERT_TRUE(WaitFor([&] {
    sweep_clock_.Advance(absl::Hours(1));
    return TimeFromProto(IntakeRow().last_catch_up()) > start;
  }));
  EXPECT_EQ(projection_.Deliveries(), kEvents);
}

TEST_F(SubscriptionTest, TheBusMovesTheCheckpointOverWhatItDeliveredAndNoFurther) {
  // The source store cannot be read (its server is down), so only the bus delivers. Events
  // 101..200 never reach the bus (acked as if published): the checkpoint must stop at 100
  // however much the bus delivers after them, and catch-up fills the hole once it can read.
  std::vector<uint64_t> never_published;
  for (uint64_t position = 101; position <= 200; ++position) never_published.push_back(position);
  ASSERT_THAT(source_->AckOutbox(never_published), ::breachd::testing::IsOk());
  service::StoreOutbox outbox(*source_);
  ASSERT_OK_AND_ASSIGN(auto relay, bus::OutboxRelay::Start(broker_->Config(), outbox));
  Subscribe();
  const size_t published = kEvents - never_published.size();
  ASSERT_TRUE(WaitFor([&] { return projection_.Applied() == published; }));
  EXPECT_EQ(IntakeRow().applied_through(), 100u);
  EXPECT_EQ(IntakeRow().caught_up_events(), 0u);
  const int before = projection_.Deliveries();

  StartServer();
  ASSERT_TRUE(WaitFor([&] { return projection_.Applied() == static_cast<size_t>(kEvents); }));
  ASSERT_TRUE(WaitFor([&] { return IntakeRow().applied_through() == source_->LastPosition(); }));
  // The hole read once, nothing the bus delivered read again.
  EXPECT_EQ(projection_.Deliveries() - before, static_cast<int>(never_published.size()));
}

TEST_F(SubscriptionTest, ASweepStartsWhereTheBusLeftOff) {
  // Only the bus can deliver at first; once it has delivered everything, the checkpoint it
  // moved is in the consumer's store, so a sweep (and a new subscription) reads nothing again.
  service::StoreOutbox outbox(*source_);
  ASSERT_OK_AND_ASSIGN(auto relay, bus::OutboxRelay::Start(broker_->Config(), outbox));
  Subscribe();
  ASSERT_TRUE(WaitFor([&] { return projection_.Applied() == static_cast<size_t>(kEvents); }));
  ASSERT_TRUE(WaitFor([&] { return IntakeRow().applied_through() == source_->LastPosition(); }));
  subscription_->Stop();  // commits the offsets, after writing the checkpoint
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> row,
                       consumer_->GetProjection(CheckpointKey("intake")));
  EXPECT_EQ(row, absl::StrCat(source_->LastPosition()));

  StartServer();
  subscription_.reset();
  Subscribe();
  ASSERT_TRUE(WaitFor([&] { return IntakeRow().catch_ups() >= 2; }));
  EXPECT_EQ(projection_.Deliveries(), kEvents);  // no event read a second time
}

// A projection of one row per event ("row/<event id>"), for the rebuild's driver; Add can be
// held, to catch a rebuild in the middle.
class RowPerEventFold : public service::ProjectionFold {
 public:
  explicit RowPerEventFold(absl::Notification* hold = nullptr, absl::Notification* held = nullptr)
      : hold_(hold), held_(held) {}
  absl::StatusOr<bool> Add(const breach::v1::EventEnvelope& event) override {
    if (held_ != nullptr && !held_->HasBeenNotified()) held_->Notify();
    if (hold_ != nullptr) hold_->WaitForNotification();
    ids_.push_back(event.event_id());
    return true;
  }
  absl::Status TakeRows(const RowSink& sink) override {
    std::vector<eventstore::ProjectionWrite> rows;
    for (const std::string& id : ids_) rows.push_back({absl::StrCat("row/", id), "1"});
    ids_.clear();
    return sink(std::move(rows));
  }
  std::vector<std::string> FoldedPrefixes() const override { return {"row/"}; }

 private:
  absl::Notification* hold_;
  absl::Notification* held_;
  std::vector<std::string> ids_;
};

// The same by stream, able to hold one share of the streams (bounded memory); counts the most
// events it held at once, and the events it took more than once.
class SharedRowFold : public service::ProjectionFold {
 public:
  struct Counts {
    size_t most_held = 0;
    size_t restricted = 0;
  };
  SharedRowFold(Counts& counts, absl::Notification* hold = nullptr,
                absl::Notification* held = nullptr)
      : counts_(counts), hold_(hold), held_(held) {}
  absl::StatusOr<bool> Add(const breach::v1::EventEnvelope& event) override {
    if (!share_.Holds(event.stream_id())) return false;
    // Held in the second pass: what arrives then is past the heads the first pass read to.
    if (counts_.restricted == 2) {
      if (held_ != nullptr && !held_->HasBeenNotified()) held_->Notify();
      if (hold_ != nullptr) hold_->WaitForNotification();
    }
    ids_.push_back(event.event_id());
    counts_.most_held = std::max(counts_.most_held, ids_.size());
    return true;
  }
  absl::Status TakeRows(const RowSink& sink) override {
    std::vector<eventstore::ProjectionWrite> rows;
    for (const std::string& id : ids_) rows.push_back({absl::StrCat("row/", id), "1"});
    return sink(std::move(rows));
  }
  std::vector<std::string> FoldedPrefixes() const override { return {"row/"}; }
  bool CanShare() const override { return true; }
  void Restrict(service::FoldShare share) override {
    share_ = std::move(share);
    ids_.clear();
    ++counts_.restricted;
  }
  std::vector<std::string> KeysOf(const breach::v1::EventEnvelope& event) const override {
    return {event.stream_id()};
  }

 private:
  Counts& counts_;
  absl::Notification* hold_;
  absl::Notification* held_;
  service::FoldShare share_;
  std::vector<std::string> ids_;
};

class ProjectionRebuildTest : public SubscriptionTest {
 protected:
  void SetUp() override {
    SubscriptionTest::SetUp();
    StartServer();
    Subscribe();
    ASSERT_TRUE(WaitFor([&] { return IntakeRow().applied_through() >= kEvents; }));
    // The live projection's rows: one that a rebuild must drop, and the checkpoint it keeps.
    ASSERT_THAT(consumer_->WriteProjection({{"row/stale", "old"}}, true), ::breachd::testing::IsOk());
  }

  size_t Rows(const std::string& prefix) {
    size_t rows = 0;
    EXPECT_THAT(consumer_->ScanProjection(prefix, "", [&](const auto&, const auto&) {
      ++rows;
      return true;
    }), ::breachd::testing::IsOk());
    return rows;
  }
};

TEST_F(ProjectionRebuildTest, FoldsEverySourceEventBesideTheLiveOneThenSwaps) {
  ProjectionRebuild rebuild("register", *consumer_, *subscription_,
                            [] { return std::make_unique<RowPerEventFold>(); });
  std::vector<std::string> phases;
  ASSERT_THAT(rebuild.Run([&](const breach::v1::RebuildProgress& progress) {
    if (phases.empty() || phases.back() != progress.phase()) phases.push_back(progress.phase());
  }), ::breachd::testing::IsOk());
  EXPECT_EQ(phases, (std::vector<std::string>{"reading", "writing", "catching-up", "swapping",
                                              "done"}));
  EXPECT_EQ(consumer_->ProjectionGeneration(), 1u);
  EXPECT_EQ(Rows("row/"), static_cast<size_t>(kEvents));  // the stale row is gone
  EXPECT_EQ(Rows(CheckpointKey("intake")), 1u);           // carried over
  ASSERT_OK_AND_ASSIGN(auto stream, source_->ReadStream("stream-0"));
  EXPECT_TRUE(consumer_->WasConsumed(stream.at(0).event_id()).value_or(false));
}

TEST_F(ProjectionRebuildTest, ASecondRebuildWhileOneRunsIsRefused) {
  absl::Notification hold, held;
  ProjectionRebuild rebuild("register", *consumer_, *subscription_, [&] {
    return std::make_unique<RowPerEventFold>(&hold, &held);
  });
  absl::Status first;
  std::thread running([&] { first = rebuild.Run(nullptr); });
  held.WaitForNotification();
  EXPECT_THAT(rebuild.Run(nullptr), ::breachd::testing::StatusIs(absl::StatusCode::kFailedPrecondition));
  hold.Notify();
  running.join();
  EXPECT_THAT(first, ::breachd::testing::IsOk());
  EXPECT_EQ(consumer_->ProjectionGeneration(), 1u);
}

TEST_F(ProjectionRebuildTest, ASourceThatCannotBeReadLeavesTheLiveProjectionServing) {
  ProjectionRebuild rebuild("register", *consumer_, *subscription_,
                            [] { return std::make_unique<RowPerEventFold>(); });
  StopServer();
  EXPECT_THAT(rebuild.Run(nullptr), ::breachd::testing::StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(consumer_->ProjectionGeneration(), 0u);
  EXPECT_EQ(Rows("row/"), 1u);  // the live one, untouched
  StartServer();
  EXPECT_THAT(rebuild.Run(nullptr), ::breachd::testing::IsOk());
  EXPECT_EQ(consumer_->ProjectionGeneration(), 2u);  // the failed one's number is not reused
  EXPECT_EQ(Rows("row/"), static_cast<size_t>(kEvents));
}

// A history larger than the fold may hold is rebuilt in passes of one share each, the fold never
// holding more than about its share; what arrives meanwhile is folded with its stream's earlier
// events, and every event is marked consumed.
TEST_F(ProjectionRebuildTest, ALargeHistoryGoesInPassesOfBoundedMemory) {
  SharedRowFold::Counts counts;
  absl::Notification hold, held;
  ProjectionRebuild rebuild("register", *consumer_, *subscription_,
                            [&] { return std::make_unique<SharedRowFold>(counts, &hold, &held); },
                            /*events_in_memory=*/kEvents / 3);
  absl::Status run;
  std::thread running([&] { run = rebuild.Run(nullptr); });
  held.WaitForNotification();
  // Arrivals while the second pass reads: for streams of every share.
  std::vector<std::string> arrived;
  for (int i = 0; i < 12; ++i) {
    auto append = eventstore::testing::MakeAppend(absl::StrCat("stream-", i), 1);
    arrived.push_back(append.events[0].event_id());
    ASSERT_THAT(source_->Append(std::move(append)).status(), ::breachd::testing::IsOk());
  }
  hold.Notify();
  running.join();
  ASSERT_THAT(run, ::breachd::testing::IsOk());
  EXPECT_EQ(consumer_->ProjectionGeneration(), 1u);
  EXPECT_EQ(counts.restricted, 4u);            // three shares, then the arrivals' streams
  // Never more than the largest share's streams (their events and any arrival), never the whole
  // history. The shares split by absl::Hash, seeded per process, so the largest is computed here
  // rather than assumed to be a third.
  size_t largest_share = 0;
  for (size_t index = 0; index < 3; ++index) {
    const service::FoldShare share = service::FoldShare::OneOf(index, 3);
    size_t held = 0;
    for (int i = 0; i < 50; ++i) held += share.Holds(absl::StrCat("stream-", i)) ? kEvents / 50 : 0;
    largest_share = std::max(largest_share, held);
  }
  EXPECT_LE(counts.most_held, std::max<size_t>(largest_share + arrived.size(), 12 * (kEvents / 50 + 1)));
  EXPECT_LT(counts.most_held, static_cast<size_t>(kEvents));
  EXPECT_EQ(Rows("row/"), static_cast<size_t>(kEvents) + arrived.size());
  for (const std::string& id : arrived) {
    EXPECT_TRUE(consumer_->WasConsumed(id).value_or(false)) << id;
  }
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK_AND_ASSIGN(auto stream, source_->ReadStream(absl::StrCat("stream-", i)));
    for (const auto& event : stream) {
      EXPECT_TRUE(consumer_->WasConsumed(event.event_id()).value_or(false)) << event.event_id();
    }
  }
}

TEST_F(SubscriptionTest, GainedPartitionsAreReadFromTheFirstEventThenServed) {
  // The first catch-up runs before the group has assigned anything: every event is skipped and
  // the checkpoint passes them all. The assignment then gains every partition, and the events
  // must come back from the source store, each once, before the partitions are served.
  StartServer();
  bus::PartitionOwnership ownership;
  Subscribe(SystemClock::Get(), absl::Milliseconds(100), &ownership);
  ASSERT_TRUE(WaitFor([&] {
    const bus::PartitionOwnership::View view = ownership.view();
    return view.partition_count > 0 &&
           static_cast<int>(view.served.size()) == view.partition_count;
  })) << ownership.view().served.size();
  EXPECT_EQ(projection_.Applied(), static_cast<size_t>(kEvents));
  EXPECT_TRUE(ownership.view().pending.empty());
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(ownership.Serves(absl::StrCat("stream-", i)));
  subscription_.reset();  // before `ownership`: closing the consumer revokes its partitions
}

// The feed's partition filter, called as a scaled-out consumer calls it.
class FeedFilterTest : public SubscriptionTest {
 protected:
  struct Read {
    grpc::Status status;
    std::vector<breach::v1::EventEnvelope> events;
    breach::v1::ReadEventsResponse last;
  };

  Read ReadFeed(const breach::v1::ReadEventsRequest& request) {
    auto stub = breach::v1::EventFeedService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kServiceToken));
    auto reader = stub->ReadEvents(&context, request);
    Read read;
    breach::v1::ReadEventsResponse response;
    while (reader->Read(&response)) {
      for (const auto& event : response.events()) read.events.push_back(event);
      read.last = response;
    }
    read.status = reader->Finish();
    return read;
  }

  static breach::v1::ReadEventsRequest Filtered(int32_t count, std::vector<int32_t> partitions,
                                                std::vector<std::string> prefixes = {}) {
    breach::v1::ReadEventsRequest request;
    request.set_source("intake");
    breach::v1::PartitionFilter& filter = *request.mutable_partition_filter();
    filter.set_partition_count(count);
    for (int32_t partition : partitions) filter.add_partitions(partition);
    for (std::string& prefix : prefixes) filter.add_unpartitioned_prefixes(std::move(prefix));
    return request;
  }

  // What a reader of every event keeps of `wanted`, in store order.
  std::vector<std::string> Expected(const std::function<bool(const std::string&)>& wanted) {
    std::vector<std::string> ids;
    EXPECT_THAT(source_->ReadAll(1,
                                 [&](const breach::v1::EventEnvelope& event) -> absl::StatusOr<bool> {
                                   if (wanted(event.stream_id())) ids.push_back(event.event_id());
                                   return true;
                                 }),
                ::breachd::testing::IsOk());
    return ids;
  }

  static std::vector<std::string> Ids(const std::vector<breach::v1::EventEnvelope>& events) {
    std::vector<std::string> ids;
    for (const auto& event : events) ids.push_back(event.event_id());
    return ids;
  }
};

TEST_F(FeedFilterTest, SendsOnlyThePartitionsAskedForAndTheUnpartitionedStreams) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(source_->Append(eventstore::testing::MakeAppend("audit-school-a", 2)).status(),
                ::breachd::testing::IsOk());
  }
  StartServer();
  const Read read = ReadFeed(Filtered(6, {1, 4}, {"audit-"}));
  ASSERT_TRUE(read.status.ok()) << read.status.error_message();
  const std::vector<std::string> expected = Expected([](const std::string& stream) {
    if (stream.starts_with("audit-")) return true;
    const int32_t partition = bus::PartitionOfKey(stream, 6);
    return partition == 1 || partition == 4;
  });
  EXPECT_GT(expected.size(), 6u);
  EXPECT_LT(expected.size(), static_cast<size_t>(kEvents));
  EXPECT_EQ(Ids(read.events), expected);
  // The range is covered for what the filter accepts: a reader may checkpoint at the head.
  EXPECT_TRUE(read.last.end());
  EXPECT_EQ(read.last.read_through(), source_->LastPosition());
  EXPECT_EQ(read.last.head_position(), source_->LastPosition());

  // From the middle, with max_events: the next read goes on from read_through, nothing skipped.
  breach::v1::ReadEventsRequest request = Filtered(6, {1, 4}, {"audit-"});
  request.set_max_events(10);
  const Read first = ReadFeed(request);
  ASSERT_TRUE(first.status.ok());
  ASSERT_EQ(first.events.size(), 10u);
  EXPECT_EQ(first.last.read_through(), first.events.back().position());
  request.set_max_events(0);
  request.set_from_position(first.last.read_through() + 1);
  const Read rest = ReadFeed(request);
  std::vector<std::string> both = Ids(first.events);
  for (const std::string& id : Ids(rest.events)) both.push_back(id);
  EXPECT_EQ(both, expected);
}

TEST_F(FeedFilterTest, AnOldCallerWithoutTheFilterGetsEveryEvent) {
  StartServer();
  breach::v1::ReadEventsRequest request;
  request.set_source("intake");
  const Read read = ReadFeed(request);
  ASSERT_TRUE(read.status.ok());
  EXPECT_EQ(Ids(read.events), Expected([](const std::string&) { return true; }));
  EXPECT_EQ(read.events.size(), static_cast<size_t>(kEvents));
}

TEST_F(FeedFilterTest, ABadFilterIsRefusedNamingTheField) {
  StartServer();
  const std::vector<std::pair<breach::v1::ReadEventsRequest, std::string>> bad = {
      {Filtered(0, {0}), "partition_filter.partition_count"},
      {Filtered(-3, {0}), "partition_filter.partition_count"},
      {Filtered(kMaxFilterPartitions + 1, {0}), "partition_filter.partition_count"},
      {Filtered(6, {}), "partition_filter.partitions"},
      {Filtered(6, {6}), "partition_filter.partitions: 6"},
      {Filtered(6, {2, -1}), "partition_filter.partitions: -1"},
      {Filtered(6, {1}, {""}), "partition_filter.unpartitioned_prefixes"},
      {Filtered(6, {1}, {std::string(kMaxPrefixBytes + 1, 'a')}),
       "partition_filter.unpartitioned_prefixes"},
      {Filtered(6, {1}, std::vector<std::string>(kMaxUnpartitionedPrefixes + 1, "audit-")),
       "partition_filter.unpartitioned_prefixes"},
  };
  for (const auto& [request, field] : bad) {
    const Read read = ReadFeed(request);
    EXPECT_EQ(read.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_THAT(read.status.error_message(), ::testing::HasSubstr(field));
    EXPECT_TRUE(read.events.empty()) << field;
  }
  // The largest count and every partition of it are fine.
  const Read widest = ReadFeed(Filtered(kMaxFilterPartitions, {0, kMaxFilterPartitions - 1}));
  EXPECT_TRUE(widest.status.ok()) << widest.status.error_message();
}

// How many events of the fixture's streams fall in `partitions` of 6.
int EventsIn(const std::set<int32_t>& partitions) {
  int events = 0;
  for (int i = 0; i < kEvents; ++i) {
    events += partitions.contains(bus::PartitionOfKey(absl::StrCat("stream-", i % 50), 6));
  }
  return events;
}

TEST_F(SubscriptionTest, ATakeoverReadsOnlyTheGainedPartitions) {
  // As if this instance had held partitions 0-2 and applied all of them: their checkpoints are
  // at the head. Gaining all six, it reads 3-5 from their first event and nothing of 0-2.
  for (int32_t partition : {0, 1, 2}) {
    ASSERT_THAT(consumer_->WriteProjection({{PartitionCheckpointKey("intake", 6, partition),
                                             absl::StrCat(source_->LastPosition())}},
                                           /*sync=*/true),
                ::breachd::testing::IsOk());
  }
  StartServer();
  bus::PartitionOwnership ownership;
  Subscribe(SystemClock::Get(), absl::Milliseconds(100), &ownership);
  ASSERT_TRUE(WaitFor([&] { return ownership.view().served.size() == 6; }));
  ASSERT_EQ(ownership.view().partition_count, 6);
  const int gained = EventsIn({3, 4, 5});
  EXPECT_GT(gained, 0);
  EXPECT_LT(gained, kEvents);
  EXPECT_EQ(projection_.Deliveries(), gained);  // each once, and none of 0-2
  EXPECT_EQ(projection_.Applied(), static_cast<size_t>(gained));
  subscription_.reset();  // before `ownership`
}

TEST_F(SubscriptionTest, ARestartWithTheSamePartitionsReadsNothingAgain) {
  StartServer();
  {
    bus::PartitionOwnership ownership;
    Subscribe(SystemClock::Get(), absl::Milliseconds(100), &ownership);
    ASSERT_TRUE(WaitFor([&] { return ownership.view().served.size() == 6; }));
    EXPECT_EQ(projection_.Deliveries(), kEvents);
    subscription_.reset();
  }
  // The same store, the same partitions: served at once, nothing read again; then only what is
  // new.
  bus::PartitionOwnership ownership;
  Subscribe(SystemClock::Get(), absl::Milliseconds(100), &ownership);
  ASSERT_TRUE(WaitFor([&] { return ownership.view().served.size() == 6; }));
  EXPECT_EQ(projection_.Deliveries(), kEvents);
  ASSERT_THAT(source_->Append(eventstore::testing::MakeAppend("stream-7", 3)).status(),
              ::breachd::testing::IsOk());
  ASSERT_TRUE(WaitFor([&] { return projection_.Applied() == kEvents + 3; }));
  EXPECT_EQ(projection_.Deliveries(), kEvents + 3);
  subscription_.reset();
}

}  // namespace
}  // namespace breachd::delivery
