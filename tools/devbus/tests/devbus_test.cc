// Runs the devbus binary as a separate process, publishes to it from this one, and stops it.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/bus/outbox_relay.h"
#include "libs/bus/testing/fake_outbox_source.h"
#include "libs/common/testing/status_matchers.h"

extern char** environ;

namespace breachd::bus {
namespace {

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
  const std::string port_file = ::testing::TempDir() + "/devbus.port";
  std::remove(port_file.c_str());
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

}  // namespace
}  // namespace breachd::bus
