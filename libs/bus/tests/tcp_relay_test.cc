#include "libs/bus/tcp_relay.h"

#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/bus/tests/relay_test_util.h"
#include "libs/common/testing/free_port.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::bus {
namespace {

using namespace ::breachd::bus::testing;  // NOLINT: the relay test helpers
using ::breachd::testing::FreeLocalPort;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;

std::string Address(int port) { return absl::StrCat("127.0.0.1:", port); }

// A relay from a free port to a listening target.
class TcpRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(relay_,
                         TcpRelay::Start("127.0.0.1:0", Address(PortOf(target_)), filters_));
  }

  struct Connection {
    Socket client;  // connected to the relay
    Socket server;  // the target's end
  };
  Connection Open() {
    Socket client = Connect(relay_->port());
    Socket server = Accept(target_);
    EXPECT_GE(server.get(), 0);
    return {std::move(client), std::move(server)};
  }

  StreamFilterFactory filters_;  // set before SetUp to filter
  Socket target_ = Listen();
  std::unique_ptr<TcpRelay> relay_;
};

TEST_F(TcpRelayTest, RelaysBytesBothWays) {
  EXPECT_GT(relay_->port(), 0);
  EXPECT_EQ(relay_->address(), Address(relay_->port()));
  Connection c = Open();
  Send(c.client.get(), "ping");
  EXPECT_EQ(Read(c.server.get(), 4), "ping");
  Send(c.server.get(), "pong");
  EXPECT_EQ(Read(c.client.get(), 4), "pong");

  // More than the socket buffers hold, so the relay's writes block and resume.
  const std::string big(8 << 20, 'x');
  std::thread sender([&] { Send(c.client.get(), big); });
  EXPECT_EQ(Read(c.server.get(), big.size()).size(), big.size());
  sender.join();
}

TEST_F(TcpRelayTest, EitherSideClosingClosesTheOther) {
  Connection first = Open();
  first.client.Close();
  EXPECT_TRUE(PeerClosed(first.server.get()));

  Connection second = Open();
  second.server.Close();
  EXPECT_TRUE(PeerClosed(second.client.get()));
}

TEST_F(TcpRelayTest, StoppingClosesLiveConnections) {
  Connection c = Open();
  relay_.reset();
  EXPECT_TRUE(PeerClosed(c.client.get()));
  EXPECT_TRUE(PeerClosed(c.server.get()));
}

// What a devbus restart does: the relay that closed connections first leaves them in
// TIME_WAIT, and the next one must still get the port.
TEST_F(TcpRelayTest, ARestartGetsTheSamePortAtOnce) {
  const int port = relay_->port();
  Connection before = Open();
  relay_.reset();
  ASSERT_TRUE(PeerClosed(before.client.get()));

  ASSERT_OK_AND_ASSIGN(relay_, TcpRelay::Start(Address(port), Address(PortOf(target_))));
  EXPECT_EQ(relay_->port(), port);
  Connection after = Open();
  Send(after.client.get(), "hello");
  EXPECT_EQ(Read(after.server.get(), 5), "hello");
}

// Upper-cases what the target sends; a "!" from the client is an error.
class ShoutingFilter : public StreamFilter {
 public:
  absl::StatusOr<std::string> FromClient(std::string_view bytes) override {
    if (bytes.find('!') != std::string_view::npos) return absl::InvalidArgumentError("no shouting");
    return std::string(bytes);
  }
  absl::StatusOr<std::string> FromTarget(std::string_view bytes) override {
    return absl::AsciiStrToUpper(std::string(bytes));
  }
};

class TcpRelayFilterTest : public TcpRelayTest {
 protected:
  TcpRelayFilterTest() {
    filters_ = [] { return std::make_unique<ShoutingFilter>(); };
  }
};

TEST_F(TcpRelayFilterTest, FiltersEachDirection) {
  Connection c = Open();
  Send(c.client.get(), "ping");
  EXPECT_EQ(Read(c.server.get(), 4), "ping");
  Send(c.server.get(), "pong");
  EXPECT_EQ(Read(c.client.get(), 4), "PONG");
}

TEST_F(TcpRelayFilterTest, AFilterErrorClosesTheConnection) {
  Connection c = Open();
  Send(c.client.get(), "hey!");
  EXPECT_TRUE(PeerClosed(c.server.get()));
  EXPECT_TRUE(PeerClosed(c.client.get()));
}

TEST(TcpRelayStartTest, ClosesTheClientWhenTheTargetIsDown) {
  ASSERT_OK_AND_ASSIGN(auto relay, TcpRelay::Start("127.0.0.1:0", Address(FreeLocalPort())));
  Socket client = Connect(relay->port());
  EXPECT_TRUE(PeerClosed(client.get()));
}

TEST(TcpRelayStartTest, APortInUseIsUnavailable) {
  Socket taken = Listen();
  EXPECT_THAT(TcpRelay::Start(Address(PortOf(taken)), "127.0.0.1:1"),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST(TcpRelayStartTest, RejectsMalformedAddresses) {
  for (const char* bad :
       {"127.0.0.1", "127.0.0.1:", ":9092", "127.0.0.1:x", "127.0.0.1:70000", "127.0.0.1:-1"}) {
    EXPECT_THAT(TcpRelay::Start(bad, "127.0.0.1:1"), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
    EXPECT_THAT(TcpRelay::Start("127.0.0.1:0", bad), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
  EXPECT_THAT(TcpRelay::Start("localhost:0", "bad").status().message(), HasSubstr("\"bad\""));
}

TEST(TcpRelayStartTest, ResolvesHostNames) {
  Socket target = Listen();
  ASSERT_OK_AND_ASSIGN(auto relay,
                       TcpRelay::Start("localhost:0", absl::StrCat("localhost:", PortOf(target))));
  EXPECT_EQ(relay->address(), absl::StrCat("localhost:", relay->port()));
  Socket client = Connect(relay->port());
  Socket server = Accept(target);
  Send(client.get(), "x");
  EXPECT_EQ(Read(server.get(), 1), "x");
}

}  // namespace
}  // namespace breachd::bus
