#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventstore/tests/event_store_fixture.h"

namespace breachd::eventstore {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using testing::EventStoreTest;
using testing::MakeAppend;

class OutboxTest : public EventStoreTest {
 protected:
  std::vector<uint64_t> Pending(size_t limit = 100) {
    std::vector<uint64_t> positions;
    absl::StatusOr<std::vector<EventEnvelope>> events = store().PendingOutbox(limit);
    EXPECT_THAT(events, IsOk());
    for (const EventEnvelope& event : events.value_or(std::vector<EventEnvelope>{})) {
      positions.push_back(event.position());
    }
    return positions;
  }
};

TEST_F(OutboxTest, PublishedEventsWaitUntilAcknowledged) {
  ASSERT_THAT(store().Append(MakeAppend("breach-1", 2)), IsOk());
  AppendRequest quiet = MakeAppend("breach-2", 1);
  quiet.publish = false;
  ASSERT_THAT(store().Append(quiet), IsOk());
  ASSERT_THAT(store().Append(MakeAppend("breach-2", 1)), IsOk());

  EXPECT_EQ(Pending(), (std::vector<uint64_t>{1, 2, 4}));
  EXPECT_EQ(Pending(2), (std::vector<uint64_t>{1, 2}));
  ASSERT_THAT(store().AckOutbox({1, 4}), IsOk());
  EXPECT_EQ(Pending(), (std::vector<uint64_t>{2}));
  Reopen();
  EXPECT_EQ(Pending(), (std::vector<uint64_t>{2}));
}

TEST_F(OutboxTest, EntriesAfterAnEmptyScanAndRetriesBelowItAreSeen) {
  // Scans start past what earlier scans found acked: neither what is appended later nor a
  // parked entry put back below that point may be missed.
  ASSERT_THAT(store().Append(MakeAppend("breach-1", 3)), IsOk());
  ASSERT_THAT(store().ParkOutbox(1, "too large"), IsOk());
  ASSERT_THAT(store().AckOutbox({2, 3}), IsOk());
  EXPECT_TRUE(Pending().empty());
  ASSERT_THAT(store().Append(MakeAppend("breach-2", 2)), IsOk());
  EXPECT_EQ(Pending(), (std::vector<uint64_t>{4, 5}));
  ASSERT_THAT(store().AckOutbox({4}), IsOk());
  EXPECT_EQ(Pending(), (std::vector<uint64_t>{5}));
  EXPECT_EQ(store().RetryParked(1).value_or(99), 1u);
  EXPECT_EQ(Pending(), (std::vector<uint64_t>{1, 5}));
}

TEST_F(OutboxTest, RequeueAllPutsEveryEventBack) {
  AppendRequest quiet = MakeAppend("breach-1", 2);
  quiet.publish = false;
  ASSERT_THAT(store().Append(quiet), IsOk());
  ASSERT_THAT(store().Append(MakeAppend("breach-1", 1)), IsOk());
  ASSERT_THAT(store().AckOutbox({3}), IsOk());
  EXPECT_TRUE(Pending().empty());
  ASSERT_THAT(store().RequeueAllForPublish(), IsOk());
  EXPECT_EQ(Pending(), (std::vector<uint64_t>{1, 2, 3}));
}

TEST_F(OutboxTest, ParkedEventLeavesTheOutboxWithItsReasonAndTheRestFlows) {
  ASSERT_OK_AND_ASSIGN(AppendResult appended, store().Append(MakeAppend("breach-1", 3)));
  ASSERT_THAT(store().ParkOutbox(2, "Broker: Message size too large"), IsOk());
  EXPECT_EQ(Pending(), (std::vector<uint64_t>{1, 3}));

  Reopen();
  ASSERT_OK_AND_ASSIGN(std::vector<ParkedEvent> parked, store().ListParked());
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].position, 2u);
  EXPECT_EQ(parked[0].event_id, appended.events[1].event_id());
  EXPECT_EQ(parked[0].stream_id, "breach-1");
  EXPECT_EQ(parked[0].type, "breach.v1.BreachReported");
  EXPECT_EQ(parked[0].reason, "Broker: Message size too large");
  EXPECT_EQ(parked[0].parked_at, clock_.Now());
  EXPECT_EQ(parked[0].attempts, 1u);
}

TEST_F(OutboxTest, OnlyAnOutboxEntryCanBeParkedAndOnlyAParkedOneRetried) {
  ASSERT_THAT(store().Append(MakeAppend("breach-1", 1)), IsOk());
  ASSERT_THAT(store().AckOutbox({1}), IsOk());
  EXPECT_THAT(store().ParkOutbox(1, "x"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store().RetryParked(1), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(store().RetryParked(std::nullopt).value_or(99), 0u);
}

TEST_F(OutboxTest, RetryPutsParkedEventsBackAndCountsAttempts) {
  ASSERT_THAT(store().Append(MakeAppend("breach-1", 3)), IsOk());
  ASSERT_THAT(store().ParkOutbox(1, "too large"), IsOk());
  ASSERT_THAT(store().ParkOutbox(3, "too large"), IsOk());
  EXPECT_EQ(Pending(), (std::vector<uint64_t>{2}));

  EXPECT_EQ(store().RetryParked(3).value_or(99), 1u);
  EXPECT_EQ(Pending(), (std::vector<uint64_t>{2, 3}));
  ASSERT_THAT(store().ParkOutbox(3, "still too large"), IsOk());  // refused again
  ASSERT_OK_AND_ASSIGN(std::vector<ParkedEvent> parked, store().ListParked());
  ASSERT_EQ(parked.size(), 2u);
  EXPECT_EQ(parked[1].attempts, 2u);
  EXPECT_EQ(parked[1].reason, "still too large");

  EXPECT_EQ(store().RetryParked(std::nullopt).value_or(99), 2u);
  EXPECT_EQ(Pending(), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_THAT(store().ListParked().value_or(std::vector<ParkedEvent>(1)), ::testing::IsEmpty());
}

TEST_F(OutboxTest, RequeueAllLeavesParkedEventsParked) {
  ASSERT_THAT(store().Append(MakeAppend("breach-1", 2)), IsOk());
  ASSERT_THAT(store().ParkOutbox(1, "too large"), IsOk());
  ASSERT_THAT(store().AckOutbox({2}), IsOk());
  ASSERT_THAT(store().RequeueAllForPublish(), IsOk());
  EXPECT_EQ(Pending(), (std::vector<uint64_t>{2}));
  EXPECT_THAT(store().ListParked().value_or(std::vector<ParkedEvent>{}), ::testing::SizeIs(1));
}

}  // namespace
}  // namespace breachd::eventstore
