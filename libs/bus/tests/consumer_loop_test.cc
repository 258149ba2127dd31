#include "libs/bus/consumer_loop.h"

#include <atomic>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "libs/bus/kafka_client.h"
#include "gtest/gtest.h"
#include "libs/bus/embedded_broker.h"
#include "libs/bus/outbox_relay.h"
#include "libs/bus/testing/fake_outbox_source.h"
#include "libs/bus/tests/bus_test_util.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::bus {
namespace {

using ::breachd::bus::testing::DedupingHandler;
using ::breachd::bus::testing::FakeOutboxSource;
using ::breachd::bus::testing::ProduceRaw;
using ::breachd::bus::testing::TestEvent;
using ::breachd::bus::testing::WaitUntil;
using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

class ConsumerLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(broker_, EmbeddedBroker::Start());
    config_ = broker_->Config();
  }

  // Publishes `per_stream` events on each of `streams` streams through a relay and waits until
  // the broker acknowledged them all.
  std::vector<std::string> Publish(int streams, int per_stream) {
    std::vector<std::string> ids;
    for (int version = 1; version <= per_stream; ++version) {
      for (int s = 0; s < streams; ++s) {
        auto event = TestEvent("stream-" + std::to_string(s), version);
        ids.push_back(event.event_id());
        outbox_.Add(event);
      }
    }
    auto relay = OutboxRelay::Start(config_, outbox_);
    EXPECT_THAT(relay, IsOk());
    if (relay.ok()) {
      EXPECT_TRUE(WaitUntil([&] { return outbox_.pending() == 0; }));
      (*relay)->Stop();
    }
    return ids;
  }

  std::unique_ptr<ConsumerLoop> StartLoop(DedupingHandler& handler,
                                          ConsumerLoopOptions options = {}) {
    if (options.group_id.empty()) options.group_id = "test-service";
    auto loop = ConsumerLoop::Start(testing::FastGroupConfig(config_), std::move(options),
                                    handler.AsHandler());
    EXPECT_THAT(loop, IsOk());
    return loop.ok() ? std::move(loop).value() : nullptr;
  }

  std::unique_ptr<EmbeddedBroker> broker_;
  BusConfig config_;
  FakeOutboxSource outbox_;
};

TEST_F(ConsumerLoopTest, AppliesEveryEventOnceInStreamOrder) {
  const auto ids = Publish(3, 20);
  DedupingHandler handler;
  auto loop = StartLoop(handler);
  ASSERT_TRUE(WaitUntil([&] { return handler.applied_count() == ids.size(); }));
  loop->Stop();
  EXPECT_EQ(handler.duplicates(), 0u);
  EXPECT_EQ(loop->counters().applied, ids.size());
  std::vector<uint64_t> in_order(20);
  for (uint64_t v = 1; v <= 20; ++v) in_order[v - 1] = v;
  for (int s = 0; s < 3; ++s) {
    EXPECT_THAT(handler.VersionsOf("stream-" + std::to_string(s)), ElementsAreArray(in_order));
  }
}

TEST_F(ConsumerLoopTest, FetchErrorsLoseNothing) {
  const auto ids = Publish(4, 10);
  broker_->PushRequestErrors(KafkaApi::kFetch,
                             {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                              RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
                              RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                              RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE});
  DedupingHandler handler;
  auto loop = StartLoop(handler);
  ASSERT_TRUE(WaitUntil([&] { return handler.applied_count() == ids.size(); }));
  loop->Stop();
  for (const auto& id : ids) EXPECT_TRUE(handler.Saw(id)) << id;
}

TEST_F(ConsumerLoopTest, RestartContinuesFromTheCommittedOffset) {
  const auto ids = Publish(3, 30);
  DedupingHandler handler;  // the service's store: survives the restart
  // The first instance gets stuck after 25 events (each partition stops at its first failure).
  std::atomic<int> attempts{0};
  handler.FailWith([&](const breach::v1::EventEnvelope&) {
    return ++attempts > 25 ? absl::UnavailableError("stuck") : absl::OkStatus();
  });
  ConsumerLoopOptions options;
  options.wait_for_retry = [&](absl::Duration) { std::this_thread::yield(); };
  auto first = StartLoop(handler, options);
  ASSERT_TRUE(WaitUntil([&] { return handler.applied_count() == 25 && attempts > 30; }));
  first->Stop();
  const size_t applied_before = handler.applied_count();
  ASSERT_EQ(applied_before, 25u);
  handler.FailWith(nullptr);

  auto second = StartLoop(handler);
  ASSERT_TRUE(WaitUntil([&] { return handler.applied_count() == ids.size(); }));
  second->Stop();
  // Stop committed everything the first loop applied: nothing is delivered twice.
  EXPECT_EQ(handler.duplicates(), 0u);
  EXPECT_EQ(second->counters().applied, ids.size() - applied_before);
}

TEST_F(ConsumerLoopTest, OffsetsWaitUntilBeforeCommitMadeTheEffectsDurable) {
  const auto ids = Publish(2, 5);
  DedupingHandler lost_on_crash;  // effects that were never made durable
  ConsumerLoopOptions not_durable;
  std::atomic<int> refused{0};
  not_durable.before_commit = [&] {
    ++refused;
    return absl::UnavailableError("disk full");
  };
  auto first = StartLoop(lost_on_crash, not_durable);
  ASSERT_TRUE(WaitUntil([&] { return lost_on_crash.applied_count() == ids.size(); }));
  first->Stop();
  EXPECT_GT(refused.load(), 0);
  EXPECT_EQ(first->counters().commits, 0u);

  // Nothing was committed, so the next member of the group gets every event again.
  DedupingHandler fresh;
  ConsumerLoopOptions durable;
  std::atomic<int> synced{0};
  durable.before_commit = [&] {
    ++synced;
    return absl::OkStatus();
  };
  auto second = StartLoop(fresh, durable);
  ASSERT_TRUE(WaitUntil([&] { return fresh.applied_count() == ids.size(); }));
  second->Stop();
  EXPECT_GT(synced.load(), 0);
  EXPECT_GT(second->counters().commits, 0u);
}

TEST_F(ConsumerLoopTest, HandlerFailureRedeliversTheSameEventAfterBackOff) {
  const auto ids = Publish(1, 5);  // one stream: one partition, strict order
  const std::string failing_id = ids[2];
  int failures_left = 3;
  DedupingHandler handler;
  handler.FailWith([&](const breach::v1::EventEnvelope& event) {
    if (event.event_id() == failing_id && failures_left > 0) {
      --failures_left;
      return absl::UnavailableError("store busy");
    }
    return absl::OkStatus();
  });
  std::vector<absl::Duration> waits;  // the loop thread only, read after Stop
  ConsumerLoopOptions options;
  options.wait_for_retry = [&](absl::Duration delay) { waits.push_back(delay); };
  auto loop = StartLoop(handler, options);
  ASSERT_TRUE(WaitUntil([&] { return handler.applied_count() == ids.size(); }));
  loop->Stop();
  EXPECT_EQ(loop->counters().handler_errors, 3u);
  EXPECT_THAT(waits, ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200),
                                 absl::Milliseconds(400)));
  // The later events waited for the failing one.
  EXPECT_THAT(handler.VersionsOf("stream-0"), ElementsAre(1, 2, 3, 4, 5));
}

TEST_F(ConsumerLoopTest, MalformedMessageIsSkippedAndCommitted) {
  ASSERT_THAT(ProduceRaw(config_, kBreachEventsTopic, "stream-0", "\xff\xff not a proto"),
              IsOk());
  ASSERT_THAT(ProduceRaw(config_, kBreachEventsTopic, "stream-0", ""), IsOk());
  const auto ids = Publish(1, 3);
  DedupingHandler handler;
  auto loop = StartLoop(handler);
  ASSERT_TRUE(WaitUntil([&] { return handler.applied_count() == ids.size(); }));
  loop->Stop();
  EXPECT_EQ(loop->counters().malformed, 2u);

  // The skipped messages were committed too: a restart would see nothing again.
  EXPECT_TRUE(testing::GroupCommittedEverything(config_, "test-service", kBreachEventsTopic));
}

TEST_F(ConsumerLoopTest, TwoMembersOfAGroupShareTheWork) {
  const auto ids = Publish(12, 5);
  DedupingHandler handler;
  auto first = StartLoop(handler);
  auto second = StartLoop(handler);
  ASSERT_TRUE(WaitUntil([&] { return handler.applied_count() == ids.size(); }, absl::Seconds(30)));
  first->Stop();
  second->Stop();
  EXPECT_EQ(handler.applied_count(), ids.size());
}

TEST_F(ConsumerLoopTest, ReplacesACrashedMemberWithinTheSessionTimeout) {
  const auto ids = Publish(3, 3);
  {
    // A member that joins, takes every partition and dies without leaving the group.
    auto conf = BuildKafkaConf(testing::FastGroupConfig(config_),
                                        {{"group.id", "test-service"},
                                         {"auto.offset.reset", "earliest"},
                                         {"enable.auto.commit", "false"}});
    ASSERT_THAT(conf, IsOk());
    ASSERT_OK_AND_ASSIGN(KafkaHandle crashed,
                         NewKafkaClient(RD_KAFKA_CONSUMER, std::move(conf).value()));
    rd_kafka_poll_set_consumer(crashed.get());
    KafkaPartitionList topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), kBreachEventsTopic, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(crashed.get(), topics.get());
    ASSERT_TRUE(WaitUntil([&] {
      KafkaMessage message(rd_kafka_consumer_poll(crashed.get(), 100));
      return message != nullptr && message->err == RD_KAFKA_RESP_ERR_NO_ERROR;
    }));
    rd_kafka_destroy_flags(crashed.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  }
  const absl::Time restarted = absl::Now();
  DedupingHandler handler;
  auto loop = StartLoop(handler);
  // The dead member's session expires (4 s), then the rebalance waits for members (3 s).
  ASSERT_TRUE(WaitUntil([&] { return handler.applied_count() == ids.size(); }));
  loop->Stop();
  RecordProperty("takeover_ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - restarted)));
}

TEST_F(ConsumerLoopTest, AnEventThatFailsForGoodIsParkedAndTheRestFlows) {
  const auto ids = Publish(1, 5);
  DedupingHandler handler;
  handler.FailWith([&](const breach::v1::EventEnvelope& event) {
    return event.event_id() == ids[1] ? absl::InvalidArgumentError("unreadable payload")
                                      : absl::OkStatus();
  });
  std::vector<std::string> parked;
  absl::Mutex parked_mu;
  ConsumerLoopOptions options;
  options.on_poison = [&](const breach::v1::EventEnvelope& event, const absl::Status&) {
    absl::MutexLock lock(&parked_mu);
    parked.push_back(event.event_id());
    return absl::OkStatus();
  };
  auto loop = StartLoop(handler, options);
  ASSERT_TRUE(WaitUntil([&] { return handler.applied_count() == ids.size() - 1; }));
  loop->Stop();
  EXPECT_EQ(loop->counters().poisoned, 1u);
  absl::MutexLock lock(&parked_mu);
  EXPECT_THAT(parked, ElementsAre(ids[1]));
}

// librdkafka's mock broker keeps about 5 MB per partition: one partition, big events.
class ConsumerLoopGapTest : public ConsumerLoopTest {
 protected:
  void SetUp() override {
    EmbeddedBrokerOptions options;
    options.events_partitions = 1;
    ASSERT_OK_AND_ASSIGN(broker_, EmbeddedBroker::Start(options));
    config_ = broker_->Config();
  }

  std::vector<std::string> PublishBig(int count, const std::string& stream) {
    std::vector<std::string> ids;
    for (int version = 1; version <= count; ++version) {
      auto event = TestEvent(stream, version);
      event.set_causation_id(std::string(8000, 'x'));  // ~8 KB on the bus
      ids.push_back(event.event_id());
      outbox_.Add(event);
    }
    auto relay = OutboxRelay::Start(config_, outbox_);
    EXPECT_THAT(relay, IsOk());
    if (relay.ok()) {
      EXPECT_TRUE(WaitUntil([&] { return outbox_.pending() == 0; }, absl::Seconds(60)));
      (*relay)->Stop();
    }
    return ids;
  }
};

TEST_F(ConsumerLoopGapTest, OffsetsTheBrokerDroppedAreReportedNeverSkippedQuietly) {
  DedupingHandler handler;
  std::atomic<int> lost_gaps{0};
  ConsumerLoopOptions options;
  options.on_gap = [&](const OffsetReset& gap) {
    EXPECT_EQ(gap.topic, kBreachEventsTopic);
    EXPECT_EQ(gap.partition, 0);
    EXPECT_EQ(gap.lost_offset, 3);
    ++lost_gaps;
  };
  const auto first = PublishBig(3, "before");
  auto loop = StartLoop(handler, options);
  ASSERT_TRUE(WaitUntil([&] { return handler.applied_count() == first.size(); }));
  loop->Stop();  // commits offset 3
  EXPECT_EQ(lost_gaps.load(), 0);

  // ~12 MB while the group is away: the broker drops the oldest, the committed offset included.
  const auto later = PublishBig(1500, "while-away");
  loop = StartLoop(handler, options);
  ASSERT_TRUE(WaitUntil([&] { return lost_gaps.load() >= 1; }, absl::Seconds(30)));
  EXPECT_GE(loop->counters().gaps, 1u);
  // It goes on reading what the broker still has, up to the newest event.
  ASSERT_TRUE(WaitUntil([&] { return handler.Saw(later.back()); }, absl::Seconds(30)));
  EXPECT_FALSE(handler.Saw(later.front()));  // gone from the broker: the caller catches up
  loop->Stop();
}

TEST(ParseOffsetResetTest, ReadsLibrdkafkasOffsetResetLine) {
  // As rdkafka_offset.c (2.0.2) writes it for a fetch position the broker no longer has.
  auto reset = ParseOffsetReset(
      "[thrd:main]: breach.events.v1 [3]: offset reset (at offset 5706, broker 1) to cached "
      "BEGINNING "
      "offset 9120: fetch failed due to requested offset not available on the broker: "
      "Broker: Offset out of range");
  ASSERT_TRUE(reset.has_value());
  EXPECT_EQ(reset->topic, "breach.events.v1");
  EXPECT_EQ(reset->partition, 3);
  EXPECT_EQ(reset->lost_offset, 5706);
  EXPECT_TRUE(reset->lost);

  auto fresh = ParseOffsetReset(
      "breach.events.v1 [0]: offset reset (at offset INVALID, broker -1) to BEGINNING: "
      "update: Success");
  EXPECT_FALSE(fresh.has_value());  // no numeric position: nothing was lost
  EXPECT_FALSE(ParseOffsetReset("Group \"x\" heartbeat error").has_value());
}

TEST_F(ConsumerLoopTest, MissingGroupIsInvalid) {
  DedupingHandler handler;
  EXPECT_THAT(ConsumerLoop::Start(config_, {}, handler.AsHandler()),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("group_id")));
}

}  // namespace
}  // namespace breachd::bus
