#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventstore/tests/event_store_fixture.h"

namespace breachd::eventstore {
namespace {

using ::breachd::testing::IsOk;
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

}  // namespace
}  // namespace breachd::eventstore
