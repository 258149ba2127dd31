#include "libs/siem/syslog_sink.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "nlohmann/json.hpp"

namespace breachd::siem {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A syslog collector on 127.0.0.1 that reads octet-counted frames; each connection is closed
// after `frames_per_connection` frames (0: never).
class Collector {
 public:
  explicit Collector(int frames_per_connection) : per_connection_(frames_per_connection) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t length = sizeof(address);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    ::listen(fd_, 4);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Collector() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> frames() {
    absl::MutexLock lock(&mu_);
    return frames_;
  }
  int connections() {
    absl::MutexLock lock(&mu_);
    return connections_;
  }

 private:
  void Serve() {
    while (true) {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      {
        absl::MutexLock lock(&mu_);
        ++connections_;
      }
      std::string pending;
      int taken = 0;
      char buffer[4096];
      while (per_connection_ == 0 || taken < per_connection_) {
        const ssize_t n = ::recv(client, buffer, sizeof(buffer), 0);
        if (n <= 0) break;
        pending.append(buffer, static_cast<size_t>(n));
        size_t space;
        size_t length = 0;
        while ((space = pending.find(' ')) != std::string::npos &&
               absl::SimpleAtoi(pending.substr(0, space), &length) &&
               pending.size() >= space + 1 + length) {
          absl::MutexLock lock(&mu_);
          if (per_connection_ == 0 || taken < per_connection_) {
            frames_.push_back(pending.substr(space + 1, length));
            ++taken;
          }
          pending.erase(0, space + 1 + length);
        }
      }
      ::close(client);
    }
  }

  const int per_connection_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<std::string> frames_ ABSL_GUARDED_BY(mu_);
  int connections_ ABSL_GUARDED_BY(mu_) = 0;
};

std::vector<SiemRecord> Records(int count) {
  std::vector<SiemRecord> records;
  for (int i = 1; i <= count; ++i) {
    nlohmann::json document = {
        {"@timestamp", "2026-11-30T09:00:00.000Z"},
        {"event", {{"kind", "event"}, {"action", "breach-viewed"}, {"id", std::to_string(i)}}},
        {"breach", {{"position", i}}}};
    records.push_back({static_cast<uint64_t>(i), "k", document.dump()});
  }
  return records;
}

std::unique_ptr<SyslogSink> SinkTo(int port) {
  SyslogSinkOptions options;
  options.target = {false, "127.0.0.1", port};
  options.hostname = "test-host";
  auto sink = SyslogSink::Create(options);
  EXPECT_TRUE(sink.ok()) << sink.status();
  return *std::move(sink);
}

TEST(SyslogSinkTest, ParsesTcpAndTlsTargetsAndNamesABadOne) {
  ASSERT_OK_AND_ASSIGN(SyslogTarget tcp, ParseSyslogTarget("tcp://collector.example:6514"));
  EXPECT_FALSE(tcp.tls);
  EXPECT_EQ(tcp.host, "collector.example");
  EXPECT_EQ(tcp.port, 6514);
  ASSERT_OK_AND_ASSIGN(SyslogTarget tls, ParseSyslogTarget("tls://[::1]:6514"));
  EXPECT_TRUE(tls.tls);
  EXPECT_EQ(tls.host, "::1");
  EXPECT_THAT(ParseSyslogTarget("udp://h:514"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tcp://HOST:PORT")));
  EXPECT_THAT(ParseSyslogTarget("tcp://h:0"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("port")));
}

TEST(SyslogSinkTest, SendsOneOctetCountedRfc5424CefMessagePerRecord) {
  Collector collector(0);
  auto sink = SinkTo(collector.port());
  std::atomic<bool> stopping{false};
  EXPECT_EQ(sink->Deliver(Records(3), stopping), 3u);
  ASSERT_TRUE([&] {
    for (int i = 0; i < 200 && collector.frames().size() < 3; ++i) usleep(10'000);
    return collector.frames().size() == 3;
  }());
  EXPECT_THAT(collector.frames()[0],
              StartsWith("<110>1 2026-11-30T09:00:00.000Z test-host breachd - breach-viewed - "
                         "CEF:0|breachd|breachd|1|breach-viewed|"));
}

TEST(SyslogSinkTest, ACollectorThatIsNotThereTakesNothingAndTheRelayRetries) {
  int port;
  {
    Collector gone(0);  // a port nobody listens on once it goes
    port = gone.port();
  }
  auto sink = SinkTo(port);
  std::atomic<bool> stopping{false};
  EXPECT_EQ(sink->Deliver(Records(2), stopping), 0u);
}

TEST(SyslogSinkTest, ABrokenConnectionIsReopenedAndWhatWasNotSentGoesAgain) {
  Collector collector(2);  // hangs up after two frames
  auto sink = SinkTo(collector.port());
  std::atomic<bool> stopping{false};
  // One record per batch, as a relay at a trickle sends them: the hang-up is noticed before the
  // next batch, which goes over a new connection.
  const std::vector<SiemRecord> records = Records(5);
  size_t offset = 0;
  for (int round = 0; round < 50 && offset < records.size(); ++round) {
    usleep(50'000);
    offset += sink->Deliver({records[offset]}, stopping);
  }
  EXPECT_EQ(offset, records.size());
  ASSERT_TRUE([&] {
    for (int i = 0; i < 200 && collector.frames().size() < 5; ++i) usleep(10'000);
    return collector.frames().size() == 5;
  }());
  EXPECT_EQ(collector.connections(), 3);
}

}  // namespace
}  // namespace breachd::siem
