#include "libs/bus/broker_front.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/bus/tests/relay_test_util.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::bus {
namespace {

using namespace ::breachd::bus::testing;  // NOLINT: the relay test helpers
using ::breachd::testing::StatusIs;

// Metadata v1 brokers 1 and 2 on 127.0.0.1 at these ports, then the rest of the response.
std::string MetadataBody(int port1, int port2) {
  return Int32(2) + Int32(1) + String("127.0.0.1") + Int32(port1) + kNullString + Int32(2) +
         String("127.0.0.1") + Int32(port2) + kNullString + "topics";
}

TEST(BrokerFrontTest, ServesEachBrokerAndAdvertisesOnlyTheFront) {
  Socket broker1 = Listen();
  Socket broker2 = Listen();
  ASSERT_OK_AND_ASSIGN(
      auto front, BrokerFront::Start("127.0.0.1:0", absl::StrCat("127.0.0.1:", PortOf(broker1),
                                                                 ",127.0.0.1:", PortOf(broker2))));
  const std::vector<std::string> fronts = absl::StrSplit(front->bootstrap_servers(), ',');
  ASSERT_EQ(fronts.size(), 2u);
  EXPECT_EQ(fronts[0], absl::StrCat("127.0.0.1:", front->port()));
  ASSERT_OK_AND_ASSIGN(const HostPort second, ParseHostPort(fronts[1]));

  // A Metadata request to the second front reaches broker 2; its answer names the fronts.
  Socket client = Connect(second.port);
  Socket server = Accept(broker2);
  const std::string request = Frame(Int16(3) + Int16(1) + Int32(42) + String("client"));
  Send(client.get(), request);
  EXPECT_EQ(Read(server.get(), request.size()), request);
  Send(server.get(), Frame(Int32(42) + MetadataBody(PortOf(broker1), PortOf(broker2))));
  const std::string expected = Frame(Int32(42) + MetadataBody(front->port(), second.port));
  EXPECT_EQ(Read(client.get(), expected.size()), expected);
}

TEST(BrokerFrontTest, RejectsMalformedAddresses) {
  EXPECT_THAT(BrokerFront::Start("127.0.0.1", "127.0.0.1:1"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(BrokerFront::Start("127.0.0.1:0", "127.0.0.1:1,nope"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace breachd::bus
