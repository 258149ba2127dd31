#include "libs/bus/outbox_relay.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/bus/embedded_broker.h"
#include "libs/bus/testing/fake_outbox_source.h"
#include "libs/bus/tests/bus_test_util.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::bus {
namespace {

using ::breachd::bus::testing::EventIds;
using ::breachd::bus::testing::FakeOutboxSource;
using ::breachd::bus::testing::ReadTopic;
using ::breachd::bus::testing::TestEvent;
using ::breachd::bus::testing::WaitUntil;
using ::breachd::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::Gt;

class OutboxRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(broker_, EmbeddedBroker::Start());
    config_ = broker_->Config();
  }

  // Adds `per_stream` events to each of `streams` streams; returns all event ids.
  std::vector<std::string> AddEvents(int streams, int per_stream, const std::string& prefix) {
    std::vector<std::string> ids;
    for (int version = 1; version <= per_stream; ++version) {
      for (int s = 0; s < streams; ++s) {
        auto event = TestEvent(prefix + std::to_string(s), version);
        ids.push_back(event.event_id());
        outbox_.Add(event);
      }
    }
    return ids;
  }

  std::unique_ptr<OutboxRelay> StartRelay() {
    auto relay = OutboxRelay::Start(config_, outbox_);
    EXPECT_TRUE(relay.ok()) << relay.status();
    return relay.ok() ? std::move(relay).value() : nullptr;
  }

  // Every id in `ids` reached the topic (duplicates are allowed: consumers dedupe).
  void ExpectAllOnTopic(const std::vector<std::string>& ids) {
    const std::set<std::string> on_topic = EventIds(ReadTopic(config_, kBreachEventsTopic));
    for (const std::string& id : ids) EXPECT_TRUE(on_topic.contains(id)) << id;
    EXPECT_EQ(on_topic.size(), ids.size());
  }

  std::unique_ptr<EmbeddedBroker> broker_;
  BusConfig config_;
  FakeOutboxSource outbox_;
};

TEST_F(OutboxRelayTest, PublishesKeyedEventsWithCloudEventHeaders) {
  const std::vector<std::string> ids = AddEvents(/*streams=*/4, /*per_stream=*/10, "stream-");
  auto relay = StartRelay();
  ASSERT_TRUE(WaitUntil([&] { return outbox_.pending() == 0; }));
  EXPECT_EQ(relay->counters().published, ids.size());

  const auto messages = ReadTopic(config_, kBreachEventsTopic);
  ASSERT_EQ(messages.size(), ids.size());
  std::map<std::string, std::vector<uint64_t>> versions_by_key;
  std::map<std::string, std::set<int32_t>> partitions_by_key;
  std::map<int32_t, std::vector<const testing::RawMessage*>> by_partition;
  for (const auto& message : messages) by_partition[message.partition].push_back(&message);
  for (auto& [partition, in_partition] : by_partition) {
    std::sort(in_partition.begin(), in_partition.end(),
              [](auto* a, auto* b) { return a->offset < b->offset; });
    for (const testing::RawMessage* message : in_partition) {
      breach::v1::EventEnvelope event;
      ASSERT_TRUE(event.ParseFromString(message->value));
      EXPECT_EQ(message->key, event.stream_id());
      EXPECT_EQ(message->headers.at("ce_id"), event.event_id());
      EXPECT_EQ(message->headers.at("ce_type"), "breach.v1.BreachReported");
      EXPECT_EQ(message->headers.at("ce_source"), "breachd/intake");
      EXPECT_EQ(message->headers.at("ce_specversion"), "1.0");
      EXPECT_EQ(message->headers.at("ce_subject"), event.stream_id());
      EXPECT_EQ(message->headers.at("ce_time"),
                "2026-01-01T00:00:" + std::string(event.stream_version() < 10 ? "0" : "") +
                    std::to_string(event.stream_version()) + ".123Z");
      EXPECT_EQ(message->headers.at("content-type"), "application/protobuf");
      versions_by_key[message->key].push_back(event.stream_version());
      partitions_by_key[message->key].insert(partition);
    }
  }
  // One partition per breach, in version order.
  const std::vector<uint64_t> one_to_ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  for (const auto& [key, versions] : versions_by_key) {
    EXPECT_EQ(partitions_by_key[key].size(), 1u) << key;
    EXPECT_THAT(versions, ElementsAreArray(one_to_ten)) << key;
  }
}

TEST_F(OutboxRelayTest, NotifyPublishesWithoutWaitingForThePoll) {
  OutboxRelayOptions options;
  options.poll_interval = absl::Seconds(30);  // only Notify can wake it in time
  ASSERT_OK_AND_ASSIGN(auto relay, OutboxRelay::Start(config_, outbox_, options));
  outbox_.Add(TestEvent("stream-a", 1));
  const absl::Time appended = absl::Now();
  relay->Notify();
  EXPECT_TRUE(WaitUntil([&] { return outbox_.pending() == 0; }, absl::Seconds(10)));
  RecordProperty("append_to_ack_ms", absl::StrCat(absl::ToDoubleMilliseconds(absl::Now() - appended)));
}

TEST_F(OutboxRelayTest, StopWhileBrokerDownLeavesEventsForTheNextRelay) {
  ASSERT_THAT(broker_->SetBrokerDown(), ::breachd::testing::IsOk());
  const std::vector<std::string> ids = AddEvents(2, 5, "stream-");
  OutboxRelayOptions options;
  options.flush_timeout = absl::Milliseconds(200);
  ASSERT_OK_AND_ASSIGN(auto relay, OutboxRelay::Start(config_, outbox_, options));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it try
  const absl::Time stop_started = absl::Now();
  relay->Stop();
  EXPECT_LT(absl::Now() - stop_started, absl::Seconds(2));
  EXPECT_EQ(outbox_.acked(), 0u);

  ASSERT_THAT(broker_->SetBrokerUp(), ::breachd::testing::IsOk());
  auto next = StartRelay();
  ASSERT_TRUE(WaitUntil([&] { return outbox_.pending() == 0; }, absl::Seconds(30)));
  ExpectAllOnTopic(ids);
}

TEST_F(OutboxRelayTest, BrokerDownThenUpLosesNothing) {
  std::vector<std::string> ids = AddEvents(3, 5, "before-");
  auto relay = StartRelay();
  ASSERT_TRUE(WaitUntil([&] { return outbox_.pending() == 0; }));

  ASSERT_THAT(broker_->SetBrokerDown(), ::breachd::testing::IsOk());
  const std::vector<std::string> during = AddEvents(3, 10, "during-");
  ids.insert(ids.end(), during.begin(), during.end());
  relay->Notify();
  // Nothing can be acknowledged while the only broker is down.
  EXPECT_FALSE(WaitUntil([&] { return outbox_.pending() == 0; }, absl::Seconds(1)));
  EXPECT_THAT(outbox_.pending(), Gt(0u));

  ASSERT_THAT(broker_->SetBrokerUp(), ::breachd::testing::IsOk());
  ASSERT_TRUE(WaitUntil([&] { return outbox_.pending() == 0; }, absl::Seconds(30)));
  EXPECT_EQ(outbox_.acked(), ids.size());
  ExpectAllOnTopic(ids);
}

TEST_F(OutboxRelayTest, ProduceErrorsAreRetriedWithoutLoss) {
  broker_->PushRequestErrors(KafkaApi::kProduce,
                             {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                              RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                              RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                              RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
                              RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND});
  const std::vector<std::string> ids = AddEvents(5, 8, "stream-");
  auto relay = StartRelay();
  ASSERT_TRUE(WaitUntil([&] { return outbox_.pending() == 0; }, absl::Seconds(30)));
  EXPECT_EQ(outbox_.acked(), ids.size());
  ExpectAllOnTopic(ids);
}

TEST_F(OutboxRelayTest, FatalProducerErrorRecreatesProducerAndResends) {
  // librdkafka 2.0.2's idempotent producer treats a broker-side sequence error as fatal.
  broker_->PushRequestErrors(KafkaApi::kProduce,
                             {RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER});
  const std::vector<std::string> ids = AddEvents(4, 10, "stream-");
  auto relay = StartRelay();
  ASSERT_TRUE(WaitUntil([&] { return outbox_.pending() == 0; }, absl::Seconds(30)));
  EXPECT_EQ(relay->counters().recreations, 1u);
  EXPECT_EQ(outbox_.acked(), ids.size());
  ExpectAllOnTopic(ids);
}

TEST_F(OutboxRelayTest, OutboxReadFailureIsRetried) {
  outbox_.FailReads(absl::UnavailableError("store closed"));
  const std::vector<std::string> ids = AddEvents(1, 3, "stream-");
  auto relay = StartRelay();
  ASSERT_TRUE(WaitUntil([&] { return relay->counters().errors > 0; }));
  outbox_.FailReads(absl::OkStatus());
  ASSERT_TRUE(WaitUntil([&] { return outbox_.pending() == 0; }));
  EXPECT_EQ(outbox_.acked(), ids.size());
}

TEST_F(OutboxRelayTest, AckFailureResendsInsteadOfLosing) {
  outbox_.FailAcks(absl::UnavailableError("disk full"));
  const std::vector<std::string> ids = AddEvents(1, 2, "stream-");
  auto relay = StartRelay();
  ASSERT_TRUE(WaitUntil([&] { return relay->counters().errors > 0; }));
  EXPECT_EQ(outbox_.pending(), ids.size());
  outbox_.FailAcks(absl::OkStatus());
  ASSERT_TRUE(WaitUntil([&] { return outbox_.pending() == 0; }));
  // Sent more than once; a consumer sees each id (and dedupes the copies).
  ExpectAllOnTopic(ids);
}

TEST_F(OutboxRelayTest, EventLargerThanTheProducerAcceptsIsParkedAndTheRestFlows) {
  config_.extra["message.max.bytes"] = "2000";
  std::vector<std::string> flowing = AddEvents(1, 1, "stream-");
  breach::v1::EventEnvelope large = TestEvent("stream-0", 2);
  large.mutable_payload()->set_value(std::string(5000, 'x'));
  const uint64_t large_position = outbox_.Add(large);
  const std::vector<std::string> later = AddEvents(2, 1, "later-");
  flowing.insert(flowing.end(), later.begin(), later.end());
  auto relay = StartRelay();

  ASSERT_TRUE(WaitUntil([&] { return outbox_.pending() == 0; }));
  const std::map<uint64_t, std::string> parked = outbox_.parked();
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_THAT(parked.at(large_position), ::testing::HasSubstr("MSG_SIZE_TOO_LARGE"));
  EXPECT_EQ(relay->counters().parked, 1u);
  EXPECT_EQ(relay->counters().published, flowing.size());
  ExpectAllOnTopic(flowing);
}

TEST_F(OutboxRelayTest, EventTheBrokerRefusesForGoodIsParkedAndTheRestFlows) {
  broker_->PushRequestErrors(KafkaApi::kProduce, {RD_KAFKA_RESP_ERR_INVALID_RECORD});
  const uint64_t refused_position = outbox_.Add(TestEvent("stream-0", 1));
  auto relay = StartRelay();
  ASSERT_TRUE(WaitUntil([&] { return relay->counters().parked == 1; }));
  EXPECT_THAT(outbox_.parked().at(refused_position), ::testing::HasSubstr("INVALID_RECORD"));

  const std::vector<std::string> later = AddEvents(3, 2, "later-");
  relay->Notify();
  ASSERT_TRUE(WaitUntil([&] { return outbox_.pending() == 0; }));
  EXPECT_EQ(relay->counters().parked, 1u);
  ExpectAllOnTopic(later);
}

TEST_F(OutboxRelayTest, ParkFailureKeepsTheEventInTheOutbox) {
  config_.extra["message.max.bytes"] = "2000";
  breach::v1::EventEnvelope large = TestEvent("stream-0", 1);
  large.mutable_payload()->set_value(std::string(5000, 'x'));
  outbox_.Add(large);
  outbox_.FailParks(absl::UnavailableError("disk full"));
  auto relay = StartRelay();
  ASSERT_TRUE(WaitUntil([&] { return relay->counters().errors > 0; }));
  EXPECT_EQ(outbox_.pending(), 1u);
  outbox_.FailParks(absl::OkStatus());
  ASSERT_TRUE(WaitUntil([&] { return outbox_.parked().size() == 1; }));
  EXPECT_EQ(outbox_.pending(), 0u);
}

TEST_F(OutboxRelayTest, BadPropertyFailsStart) {
  config_.extra["no.such.property"] = "1";
  EXPECT_THAT(OutboxRelay::Start(config_, outbox_),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("no.such.property")));
}

}  // namespace
}  // namespace breachd::bus

