#include "libs/siem/siem_relay.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "breach/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/bus/embedded_broker.h"
#include "libs/bus/tests/bus_test_util.h"
#include "libs/common/files.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/service/event_factory.h"
#include "libs/siem/kafka_sink.h"
#include "nlohmann/json.hpp"

namespace breachd::siem {
namespace {

using ::breachd::bus::testing::ReadTopic;
using ::breachd::bus::testing::WaitUntil;
using ::testing::ElementsAreArray;
using ::breachd::testing::IsOk;

const auth::Principal kDpo{"user:dpo-vespucci", "MIIS01200V", {"school-dpo"}};

class SiemRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, eventstore::EventStore::Open(dir_.path() + "/store"));
  }

  // Appends a BreachViewed to `stream` (a breach id, or an audit stream); returns its event id.
  std::string Append(const std::string& stream) {
    breach::v1::BreachViewed viewed;
    viewed.set_breach_id(stream);
    viewed.set_view("timeline");
    eventstore::AppendRequest request;
    request.stream_id = stream;
    request.events.push_back(
        service::MakeEvent({"register", kDpo, "req", stream}, "MIIS01200V", absl::Now(), viewed));
    auto appended = store_->Append(std::move(request));
    EXPECT_THAT(appended.status(), IsOk());
    return appended.ok() ? appended->events.at(0).event_id() : "";
  }

  SiemCheckpoint Checkpoint() const { return SiemCheckpoint(dir_.path() + "/kafka.position"); }

  std::unique_ptr<SiemRelay> StartKafkaRelay(const bus::BusConfig& config) {
    auto sink = KafkaSink::Create(config);
    EXPECT_THAT(sink.status(), IsOk());
    auto relay = SiemRelay::Start(*store_, *std::move(sink), Checkpoint(), Options());
    EXPECT_THAT(relay.status(), IsOk());
    return relay.ok() ? *std::move(relay) : nullptr;
  }

  static SiemRelayOptions Options() {
    SiemRelayOptions options;
    options.poll_interval = absl::Milliseconds(10);
    options.error_backoff = absl::Milliseconds(20);
    return options;
  }

  // The event ids of the documents on the SIEM topic, in topic order.
  static std::vector<std::string> IdsOnTopic(const bus::BusConfig& config) {
    std::vector<std::string> ids;
    for (const auto& message : ReadTopic(config, bus::kSiemTopic)) {
      ids.push_back(nlohmann::json::parse(message.value)["event"]["id"]);
    }
    return ids;
  }

  testing::ScratchDir dir_{"siem-relay"};
  std::unique_ptr<eventstore::EventStore> store_;
};

TEST_F(SiemRelayTest, PublishesEveryEventInStoreOrderAsEcsJsonKeyedByBreach) {
  ASSERT_OK_AND_ASSIGN(auto broker, bus::EmbeddedBroker::Start());
  std::vector<std::string> ids;
  for (const char* stream : {"01JQ0BREACHA00000000000000", "audit-MIIS01200V",
                             "01JQ0BREACHB00000000000000", "01JQ0BREACHA00000000000000"}) {
    ids.push_back(Append(stream));
  }
  auto relay = StartKafkaRelay(broker->Config());
  ASSERT_TRUE(WaitUntil([&] { return relay->counters().published == ids.size(); }));
  EXPECT_EQ(relay->counters().checkpoint, store_->LastPosition());
  const auto messages = ReadTopic(broker->Config(), bus::kSiemTopic);
  ASSERT_EQ(messages.size(), ids.size());
  std::vector<std::string> keys;
  std::vector<std::string> on_topic;
  for (const auto& message : messages) {
    const nlohmann::json document = nlohmann::json::parse(message.value);
    keys.push_back(message.key);
    on_topic.push_back(document["event"]["id"]);
    EXPECT_EQ(document["event"]["action"], "breach-viewed");
    EXPECT_EQ(document["organization"]["id"], "MIIS01200V");
  }
  EXPECT_THAT(on_topic, ElementsAreArray(ids));
  // An audit stream's read names the breach it was about, so it is keyed by that breach.
  EXPECT_THAT(keys, ElementsAreArray({"01JQ0BREACHA00000000000000", "audit-MIIS01200V",
                                      "01JQ0BREACHB00000000000000",
                                      "01JQ0BREACHA00000000000000"}));
}

TEST_F(SiemRelayTest, ARestartResumesAtTheCheckpointWithoutSkippingOrRepeating) {
  ASSERT_OK_AND_ASSIGN(auto broker, bus::EmbeddedBroker::Start());
  std::vector<std::string> ids = {Append("01JQ0BREACHA00000000000000"),
                                  Append("01JQ0BREACHA00000000000000")};
  auto relay = StartKafkaRelay(broker->Config());
  ASSERT_TRUE(WaitUntil([&] { return relay->counters().published == 2; }));
  relay->Stop();
  ASSERT_OK_AND_ASSIGN(uint64_t saved, Checkpoint().Load());
  EXPECT_EQ(saved, store_->LastPosition());
  // Appended while no relay runs: the next one starts from the checkpoint.
  ids.push_back(Append("01JQ0BREACHB00000000000000"));
  relay = StartKafkaRelay(broker->Config());
  ASSERT_TRUE(WaitUntil([&] { return relay->counters().published == 1; }));
  EXPECT_THAT(IdsOnTopic(broker->Config()), ElementsAreArray(ids));
}

TEST_F(SiemRelayTest, ABrokerDownHoldsTheFeedWhichThenCatchesUp) {
  ASSERT_OK_AND_ASSIGN(auto broker, bus::EmbeddedBroker::Start());
  auto relay = StartKafkaRelay(broker->Config());
  std::vector<std::string> ids = {Append("01JQ0BREACHA00000000000000")};
  ASSERT_TRUE(WaitUntil([&] { return relay->counters().published == 1; }));
  ASSERT_THAT(broker->SetBrokerDown(), IsOk());
  for (int i = 0; i < 5; ++i) ids.push_back(Append("01JQ0BREACHA00000000000000"));
  relay->Notify();
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(relay->counters().published, 1u);
  ASSERT_THAT(broker->SetBrokerUp(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return relay->counters().published == ids.size(); }));
  EXPECT_THAT(IdsOnTopic(broker->Config()), ElementsAreArray(ids));
}

TEST_F(SiemRelayTest, AfterTheEmbeddedBusRestartsItPublishesFromItsCheckpoint) {
  auto first = bus::EmbeddedBroker::Start();
  ASSERT_THAT(first.status(), IsOk());
  Append("01JQ0BREACHA00000000000000");
  auto relay = StartKafkaRelay((*first)->Config());
  ASSERT_TRUE(WaitUntil([&] { return relay->counters().published == 1; }));
  relay->Stop();
  first->reset();  // the bus goes, and its topics with it
  ASSERT_OK_AND_ASSIGN(auto second, bus::EmbeddedBroker::Start());
  const std::string later = Append("01JQ0BREACHB00000000000000");
  relay = StartKafkaRelay(second->Config());
  ASSERT_TRUE(WaitUntil([&] { return relay->counters().published == 1; }));
  // The store is the truth: history is not re-published, the feed goes on from where it was.
  EXPECT_THAT(IdsOnTopic(second->Config()), ElementsAreArray({later}));
}

// Takes `accept` records per call, then everything; remembers what it took.
class PartialSink : public SiemSink {
 public:
  explicit PartialSink(size_t accept) : accept_(accept) {}
  std::string name() const override { return "partial"; }
  size_t Deliver(const std::vector<SiemRecord>& records, const std::atomic<bool>&) override {
    absl::MutexLock lock(&mu_);
    const size_t taken = std::min(records.size(), calls_++ < 2 ? accept_ : records.size());
    for (size_t i = 0; i < taken; ++i) positions_.push_back(records[i].position);
    return taken;
  }
  std::vector<uint64_t> positions() {
    absl::MutexLock lock(&mu_);
    return positions_;
  }

 private:
  absl::Mutex mu_;
  size_t accept_;
  int calls_ = 0;
  std::vector<uint64_t> positions_;
};

TEST_F(SiemRelayTest, WhatTheSinkDidNotTakeIsOfferedAgainInOrder) {
  for (int i = 0; i < 5; ++i) Append("01JQ0BREACHA00000000000000");
  auto owned = std::make_unique<PartialSink>(1);
  PartialSink* sink = owned.get();
  ASSERT_OK_AND_ASSIGN(auto relay, SiemRelay::Start(*store_, std::move(owned),
                                                    SiemCheckpoint(dir_.path() + "/p"), Options()));
  ASSERT_TRUE(WaitUntil([&] { return relay->counters().published == 5; }));
  EXPECT_THAT(sink->positions(), ElementsAreArray({1, 2, 3, 4, 5}));
  EXPECT_EQ(relay->counters().errors, 2u);
}

TEST(SiemCheckpointTest, AMissingFileIsTheBeginningAndGarbageIsDataLoss) {
  testing::ScratchDir dir("siem-checkpoint");
  SiemCheckpoint checkpoint(dir.path() + "/c");
  ASSERT_OK_AND_ASSIGN(uint64_t position, checkpoint.Load());
  EXPECT_EQ(position, 0u);
  ASSERT_THAT(checkpoint.Save(42), IsOk());
  ASSERT_OK_AND_ASSIGN(position, checkpoint.Load());
  EXPECT_EQ(position, 42u);
  ASSERT_THAT(WriteFileAtomically(checkpoint.path(), "forty-two", 0644), IsOk());
  EXPECT_THAT(checkpoint.Load(), testing::StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace breachd::siem
