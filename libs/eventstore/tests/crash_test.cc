// Crash consistency: a child process appends in a loop and is SIGKILLed at random moments. After
// each kill the store must hold every acknowledged event, nothing half-written, and a valid chain.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventstore/tests/event_store_fixture.h"

extern char** environ;

namespace breachd::eventstore {
namespace {

using ::breachd::testing::IsOk;
using testing::TempDir;

constexpr int kRounds = 25;
constexpr int kWriters = 4;  // as in crash_child_main.cc

// Runs the child until a random moment after it is ready, SIGKILLs it and returns its output.
std::string RunChildUntilKilled(const std::string& dir, std::chrono::milliseconds run_for) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  const std::string binary = std::string(BREACHD_BIN_DIR) + "/eventstore_crash_child";
  std::vector<char*> args = {const_cast<char*>(binary.c_str()), const_cast<char*>(dir.c_str()),
                             nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawned != 0) {
    close(fds[0]);
    return "spawn failed: " + binary;
  }

  std::string output;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  char buffer[4096];
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    const int wait_ms =
        deadline == std::chrono::steady_clock::time_point::max()
            ? 10000
            : static_cast<int>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()) +
                  1;
    pollfd fd{.fd = fds[0], .events = POLLIN, .revents = 0};
    if (poll(&fd, 1, wait_ms) <= 0) break;  // the child hung before READY: give up on it
    const ssize_t n = read(fds[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    output.append(buffer, static_cast<size_t>(n));
    if (deadline == std::chrono::steady_clock::time_point::max() &&
        absl::StrContains(output, "READY\n")) {
      deadline = std::chrono::steady_clock::now() + run_for;
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  // What the child wrote before it died is still in the pipe.
  for (ssize_t n; (n = read(fds[0], buffer, sizeof(buffer))) > 0;) {
    output.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  return output;
}

// Ids from complete "ACK <id>" lines (a line cut by the kill was never fully acknowledged).
std::vector<std::string> AcknowledgedIds(const std::string& output) {
  std::vector<std::string> ids;
  std::vector<std::string> lines = absl::StrSplit(output, '\n');
  lines.pop_back();  // the text after the last newline is incomplete (or empty)
  for (const std::string& line : lines) {
    if (absl::StartsWith(line, "ACK ")) ids.push_back(line.substr(4));
  }
  return ids;
}

void ExpectConsistent(EventStore& store, const std::vector<std::string>& acknowledged) {
  for (const std::string& id : acknowledged) {
    EXPECT_THAT(store.GetEvent(id), IsOk()) << "acknowledged event " << id << " is lost";
  }
  // Every stored event is reachable through both indexes, and the indexes lead only to events.
  absl::flat_hash_map<uint64_t, std::string> id_at_position;
  ASSERT_THAT(store.ReadAll(1,
                            [&](const EventEnvelope& event) -> absl::StatusOr<bool> {
                              id_at_position[event.position()] = event.event_id();
                              absl::StatusOr<EventEnvelope> by_id =
                                  store.GetEvent(event.event_id());
                              EXPECT_TRUE(by_id.ok() && by_id->position() == event.position())
                                  << event.event_id();
                              return true;
                            }),
              IsOk());
  size_t in_streams = 0;
  for (int w = 0; w < kWriters; ++w) {
    const std::string stream = absl::StrCat("crash-", w);
    ASSERT_OK_AND_ASSIGN(uint64_t version, store.StreamVersion(stream));
    ASSERT_OK_AND_ASSIGN(std::vector<EventEnvelope> stream_events, store.ReadStream(stream));
    ASSERT_EQ(stream_events.size(), version);
    for (size_t i = 0; i < stream_events.size(); ++i) {
      EXPECT_EQ(stream_events[i].stream_version(), i + 1);
      EXPECT_EQ(id_at_position[stream_events[i].position()], stream_events[i].event_id());
    }
    in_streams += stream_events.size();
    // The stream's projection row was written in the same batch as its events.
    ASSERT_OK_AND_ASSIGN(std::optional<std::string> count, store.GetProjection("count/" + stream));
    EXPECT_EQ(count.value_or("0"), std::to_string(version)) << stream;
  }
  EXPECT_EQ(id_at_position.size(), in_streams);
  // Every outbox entry leads to an event (PendingOutbox fails on a dangling one).
  EXPECT_THAT(store.PendingOutbox(1000000), IsOk());
  ASSERT_OK_AND_ASSIGN(VerifyReport report, store.Verify());
  EXPECT_TRUE(report.ok) << report.first_bad_stream << " v" << report.first_bad_version << ": "
                         << report.problem;
}

TEST(CrashTest, KilledAppenderLosesNothingAcknowledgedAndLeavesNothingHalfWritten) {
  TempDir dir;
  std::mt19937 random(20260101);
  std::uniform_int_distribution<int> run_ms(5, 150);
  size_t total_acknowledged = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string output =
        RunChildUntilKilled(dir.path(), std::chrono::milliseconds(run_ms(random)));
    ASSERT_THAT(output, ::testing::StartsWith("READY\n")) << "round " << round;
    EXPECT_THAT(output, ::testing::Not(::testing::HasSubstr("ERROR"))) << output;
    const std::vector<std::string> acknowledged = AcknowledgedIds(output);
    total_acknowledged += acknowledged.size();

    ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store, EventStore::Open(dir.path()));
    SCOPED_TRACE(absl::StrCat("round ", round, ", ", acknowledged.size(), " acknowledged"));
    ExpectConsistent(*store, acknowledged);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GT(total_acknowledged, 0u);
  RecordProperty("acknowledged_events", static_cast<int>(total_acknowledged));
}

}  // namespace
}  // namespace breachd::eventstore
