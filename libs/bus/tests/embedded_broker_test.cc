#include "libs/bus/embedded_broker.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/bus/tests/bus_test_util.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::bus {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::MatchesRegex;

TEST(EmbeddedBrokerTest, ListensOnLoopbackAndServesClients) {
  ASSERT_OK_AND_ASSIGN(auto broker, EmbeddedBroker::Start({.events_partitions = 3}));
  EXPECT_THAT(broker->bootstrap_servers(), MatchesRegex("127\\.0\\.0\\.1:[0-9]+"));
  ASSERT_THAT(testing::ProduceRaw(broker->Config(), kSiemTopic, "k", "v"), IsOk());
  const auto messages = testing::ReadTopic(broker->Config(), kSiemTopic);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].value, "v");
}

TEST(EmbeddedBrokerTest, RejectsZeroPartitions) {
  EXPECT_THAT(EmbeddedBroker::Start({.events_partitions = 0}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace breachd::bus
