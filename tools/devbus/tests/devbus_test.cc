// Runs the devbus binary as a separate process, publishes to it from this one, and stops it;
// kills and restarts it on the same address under clients that stay up.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/bus/kafka_client.h"
#include "libs/bus/outbox_relay.h"
#include "libs/bus/testing/fake_outbox_source.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/status_macros.h"
#include "libs/common/testing/free_port.h"
#include "libs/common/testing/status_matchers.h"
#include "tests/testing/process.h"

extern char** environ;

namespace breachd::bus {
namespace {

using ::breachd::testing::FreeLocalPort;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// A devbus child whose stdout is a pipe to us.
class DevbusProcess {
 public:
  explicit DevbusProcess(const std::vector<std::string>& flags) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<std::string> args = {std::string(BREACHD_BIN_DIR) + "/devbus"};
    args.insert(args.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    stdout_ = fdopen(fds[0], "r");
  }
  ~DevbusProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_ != nullptr) fclose(stdout_);
  }

  std::string ReadLine() {
    char line[256] = {};
    if (fgets(line, sizeof(line), stdout_) == nullptr) return "";
    std::string text(line);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }

  // Sends `signal` and returns the exit status.
  int StopWith(int signal) {
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  FILE* stdout_ = nullptr;
};

TEST(DevbusTest, ServesOtherProcessesAndExitsCleanlyOnSigterm) {
  const breachd::testing::ScratchDir scratch("devbus");
  const std::string port_file = scratch.path() + "/devbus.port";
  DevbusProcess devbus({"--listen=127.0.0.1:0", "--partitions=2", "--port_file=" + port_file});
  const std::string line = devbus.ReadLine();
  ASSERT_THAT(line, MatchesRegex("bootstrap=127\\.0\\.0\\.1:[0-9]+"));
  const std::string bootstrap = line.substr(std::string("bootstrap=").size());
  std::string port;
  std::ifstream(port_file) >> port;
  EXPECT_TRUE(absl::EndsWith(bootstrap, ":" + port)) << port;

  testing::FakeOutboxSource outbox;
  breach::v1::EventEnvelope event;
  event.set_event_id("01JD000000000000000000000A");
  event.set_stream_id("01JD000000000000000000000B");
  outbox.Add(event);
  BusConfig config;
  config.bootstrap_servers = bootstrap;
  ASSERT_OK_AND_ASSIGN(auto relay, OutboxRelay::Start(config, outbox));
  for (int i = 0; i < 1000 && outbox.pending() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(outbox.acked(), 1u);
  relay->Stop();

  const int status = devbus.StopWith(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(DevbusTest, SigintAlsoStopsIt) {
  DevbusProcess devbus({"--listen=127.0.0.1:0"});
  ASSERT_THAT(devbus.ReadLine(), MatchesRegex("bootstrap=.*"));
  const int status = devbus.StopWith(SIGINT);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(DevbusTest, RejectsAnAddressInUse) {
  DevbusProcess first({"--listen=127.0.0.1:0"});
  const std::string bootstrap = first.ReadLine().substr(std::string("bootstrap=").size());
  DevbusProcess second({"--listen=" + bootstrap});
  EXPECT_EQ(second.ReadLine(), "");  // no bootstrap line: it exits
  const int status = second.StopWith(0);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 1);
}

// A librdkafka producer and group consumer that outlive devbus restarts. Everything runs on
// the test thread: the callbacks are served by the polls in RoundTrip.
class RestartClients {
 public:
  static absl::StatusOr<std::unique_ptr<RestartClients>> Create(const std::string& bootstrap) {
    std::unique_ptr<RestartClients> clients(new RestartClients());
    BusConfig config;
    config.bootstrap_servers = bootstrap;
    // The outbox relay's producer settings, so this is what the services see.
    ASSIGN_OR_RETURN(
        KafkaConf producer_conf,
        BuildKafkaConf(config,
                       {{"enable.idempotence", "true"}, {"acks", "all"}, {"linger.ms", "5"}}));
    rd_kafka_conf_set_opaque(producer_conf.get(), clients.get());
    rd_kafka_conf_set_dr_msg_cb(producer_conf.get(), &RestartClients::OnDelivery);
    ASSIGN_OR_RETURN(clients->producer_,
                     NewKafkaClient(RD_KAFKA_PRODUCER, std::move(producer_conf)));

    // The consumer loop's group settings, with the short session of the bus tests.
    ASSIGN_OR_RETURN(KafkaConf consumer_conf,
                     BuildKafkaConf(config, {{"group.id", "devbus-restart"},
                                             {"auto.offset.reset", "earliest"},
                                             {"enable.auto.commit", "false"},
                                             {"fetch.wait.max.ms", "5"},
                                             {"session.timeout.ms", "4000"},
                                             {"heartbeat.interval.ms", "500"}}));
    rd_kafka_conf_set_opaque(consumer_conf.get(), clients.get());
    rd_kafka_conf_set_rebalance_cb(consumer_conf.get(), &RestartClients::OnRebalance);
    ASSIGN_OR_RETURN(clients->consumer_,
                     NewKafkaClient(RD_KAFKA_CONSUMER, std::move(consumer_conf)));
    rd_kafka_t* consumer = clients->consumer_.get();
    rd_kafka_poll_set_consumer(consumer);
    KafkaPartitionList topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), kSiemTopic, RD_KAFKA_PARTITION_UA);
    if (const rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer, topics.get()); err) {
      return KafkaError(err, "subscribe");
    }
    return clients;
  }
  ~RestartClients() { rd_kafka_consumer_close(consumer_.get()); }

  // Produces `prefix`-N every `interval` until one is acknowledged and one is consumed, by a
  // consumer that got its partitions at least `assignments` times so far; or until `deadline`.
  bool RoundTrip(const std::string& prefix, int assignments, absl::Duration interval,
                 absl::Time deadline) {
    delivered_ = 0;
    bool consumed = false;
    absl::Time next_send = absl::Now();
    for (int n = 0; absl::Now() < deadline && !(consumed && delivered_ > 0);) {
      if (!consumed && absl::Now() >= next_send) {
        const std::string value = absl::StrCat(prefix, "-", n++);
        rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(kSiemTopic),
                          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        next_send = absl::Now() + interval;
      }
      rd_kafka_poll(producer_.get(), 0);
      KafkaMessage message(rd_kafka_consumer_poll(consumer_.get(), 50));
      if (message != nullptr && message->err == RD_KAFKA_RESP_ERR_NO_ERROR &&
          assignments_ >= assignments) {
        consumed = absl::StartsWith(
            absl::string_view(static_cast<const char*>(message->payload), message->len), prefix);
      }
    }
    return consumed && delivered_ > 0;
  }

  int assignments() const { return assignments_; }
  int delivery_errors() const { return delivery_errors_; }

 private:
  RestartClients() = default;

  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    auto* self = static_cast<RestartClients*>(opaque);
    ++(message->err == RD_KAFKA_RESP_ERR_NO_ERROR ? self->delivered_ : self->delivery_errors_);
  }

  static void OnRebalance(rd_kafka_t* consumer, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      ++static_cast<RestartClients*>(opaque)->assignments_;
      rd_kafka_assign(consumer, partitions);
    } else {
      rd_kafka_assign(consumer, nullptr);
    }
  }

  KafkaHandle producer_;
  KafkaHandle consumer_;
  int delivered_ = 0;
  int delivery_errors_ = 0;
  int assignments_ = 0;
};

std::string Millis(absl::Duration duration) {
  return absl::StrCat(absl::ToInt64Milliseconds(duration));
}

// The finding of issue 9: services started against devbus must follow its restart. The same
// producer and consumer keep working on the same address; all topics come back empty.
TEST(DevbusTest, ClientsFollowARestartOnTheSameAddress) {
  const std::string listen = absl::StrCat("127.0.0.1:", FreeLocalPort());
  const std::vector<std::string> flags = {"--listen=" + listen, "--partitions=1"};
  auto devbus = std::make_unique<DevbusProcess>(flags);
  ASSERT_EQ(devbus->ReadLine(), "bootstrap=" + listen);
  ASSERT_OK_AND_ASSIGN(auto clients, RestartClients::Create(listen));
  // The first join waits out the mock's 3 s initial rebalance delay.
  ASSERT_TRUE(
      clients->RoundTrip("before", 1, absl::Milliseconds(500), absl::Now() + absl::Seconds(20)));

  devbus->StopWith(SIGKILL);
  devbus = std::make_unique<DevbusProcess>(flags);
  ASSERT_EQ(devbus->ReadLine(), "bootstrap=" + listen);
  const absl::Time restarted = absl::Now();
  const int assignments_before = clients->assignments();

  // Produce and fetch come back first, on the consumer's old assignment...
  ASSERT_TRUE(
      clients->RoundTrip("after", 0, absl::Milliseconds(100), restarted + absl::Seconds(20)));
  const absl::Duration first_round_trip = absl::Now() - restarted;
  // ...the group once the old session has expired and the new coordinator has assigned the
  // partitions again (the mock's 3 s first-join delay included).
  ASSERT_TRUE(clients->RoundTrip("rejoined", assignments_before + 1, absl::Milliseconds(100),
                                 restarted + absl::Seconds(30)));
  const absl::Duration group_round_trip = absl::Now() - restarted;
  RecordProperty("restart_to_round_trip_ms", Millis(first_round_trip));
  RecordProperty("restart_to_group_round_trip_ms", Millis(group_round_trip));
  std::printf("after the restart: produce+consume in %s ms, with the group rejoined in %s ms\n",
              Millis(first_round_trip).c_str(), Millis(group_round_trip).c_str());
  EXPECT_EQ(clients->delivery_errors(), 0);

  // A client that knows only the address sees the new cluster, on that address.
  const auto kcat = breachd::testing::RunCommand({"/usr/bin/kcat", "-b", listen, "-L", "-m", "10"});
  EXPECT_EQ(kcat.exit_code, 0) << kcat.err;
  EXPECT_THAT(kcat.out, HasSubstr("broker 1 at " + listen));
  EXPECT_THAT(kcat.out, HasSubstr("topic \"breach.events.v1\" with 1 partitions"));
}

}  // namespace
}  // namespace breachd::bus
