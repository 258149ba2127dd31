#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/bus/bus.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::bus {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParseBusFlagTest, EmbeddedRunsInProcessBroker) {
  ASSERT_OK_AND_ASSIGN(BusSettings settings, ParseBusFlag("embedded"));
  EXPECT_TRUE(settings.embedded);
  EXPECT_TRUE(settings.config.bootstrap_servers.empty());
}

TEST(ParseBusFlagTest, AnythingElseIsBootstrapServers) {
  ASSERT_OK_AND_ASSIGN(BusSettings settings,
                       ParseBusFlag("kafka-1:9092,kafka-2:9092",
                                    {"security.protocol=ssl", "linger.ms = 20"}));
  EXPECT_FALSE(settings.embedded);
  EXPECT_EQ(settings.config.bootstrap_servers, "kafka-1:9092,kafka-2:9092");
  EXPECT_EQ(settings.config.extra.at("security.protocol"), "ssl");
  EXPECT_EQ(settings.config.extra.at("linger.ms"), " 20");
}

TEST(ParseBusFlagTest, EmptyFlagIsInvalid) {
  EXPECT_THAT(ParseBusFlag("  "), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kafka")));
}

TEST(ParseBusFlagTest, UnknownPropertyIsNamed) {
  EXPECT_THAT(ParseBusFlag("embedded", {"lingerr.ms=5"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lingerr.ms")));
}

TEST(ParseBusFlagTest, BadValueIsNamed) {
  EXPECT_THAT(ParseBusFlag("embedded", {"acks=some"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("acks")));
}

TEST(ParseBusFlagTest, EntryWithoutEqualsIsNamed) {
  EXPECT_THAT(ParseBusFlag("embedded", {"linger.ms"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("linger.ms")));
}

}  // namespace
}  // namespace breachd::bus
