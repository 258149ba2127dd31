#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventstore/tests/event_store_fixture.h"

namespace breachd::eventstore {
namespace {

using ::breachd::testing::IsOk;
using testing::EventStoreTest;
using testing::MakeAppend;

using ConcurrencyTest = EventStoreTest;

TEST_F(ConcurrencyTest, ExactlyOneWriterWinsEachVersion) {
  constexpr int kThreads = 8;
  constexpr uint64_t kVersions = 25;
  absl::Mutex mu;
  std::map<uint64_t, int> winners;  // expected version -> successful appends
  std::atomic<int> unexpected_errors{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (true) {
        absl::StatusOr<uint64_t> version = store().StreamVersion("contended");
        if (!version.ok()) {
          ++unexpected_errors;
          return;
        }
        if (*version >= kVersions) return;
        absl::StatusOr<AppendResult> appended =
            store().Append(MakeAppend("contended", 1, /*expected_version=*/*version));
        if (appended.ok()) {
          absl::MutexLock lock(&mu);
          ++winners[*version];
        } else if (!absl::IsAborted(appended.status())) {
          ++unexpected_errors;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(unexpected_errors.load(), 0);
  ASSERT_EQ(winners.size(), kVersions);
  for (const auto& [version, count] : winners) EXPECT_EQ(count, 1) << "version " << version;
  ASSERT_OK_AND_ASSIGN(std::vector<EventEnvelope> events, store().ReadStream("contended"));
  EXPECT_EQ(events.size(), kVersions);
  ASSERT_OK_AND_ASSIGN(VerifyReport report, store().Verify());
  EXPECT_TRUE(report.ok) << report.problem;
}

TEST_F(ConcurrencyTest, ParallelStreamsGetDistinctGaplessPositions) {
  constexpr int kThreads = 8;
  constexpr int kAppends = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        EXPECT_THAT(store().Append(MakeAppend(absl::StrCat("stream-", t), 1, i)), IsOk());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(store().LastPosition(), static_cast<uint64_t>(kThreads * kAppends));
  std::set<uint64_t> positions;
  uint64_t previous = 0;
  ASSERT_THAT(store().ReadAll(1,
                              [&](const EventEnvelope& event) -> absl::StatusOr<bool> {
                                EXPECT_GT(event.position(), previous);
                                previous = event.position();
                                positions.insert(event.position());
                                return true;
                              }),
              IsOk());
  EXPECT_EQ(positions.size(), static_cast<size_t>(kThreads * kAppends));
  ASSERT_OK_AND_ASSIGN(VerifyReport report, store().Verify());
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.streams_checked, static_cast<uint64_t>(kThreads));
}

TEST_F(ConcurrencyTest, TheSameEventIdRacingIntoTwoStreamsIsStoredOnce) {
  AppendRequest request = MakeAppend("stream-a", 1);
  std::vector<std::thread> threads;
  std::atomic<int> stored{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      AppendRequest mine = request;
      mine.stream_id = absl::StrCat("stream-", t);
      absl::StatusOr<AppendResult> result = store().Append(mine);
      if (result.ok() && !result->duplicate) ++stored;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(stored.load(), 1);
  EXPECT_EQ(store().LastPosition(), 1u);
}

TEST_F(ConcurrencyTest, ReadersDuringAppendsSeeAValidChainAndSkipNothing) {
  constexpr int kThreads = 8;
  constexpr int kAppends = 15;
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        EXPECT_THAT(store().Append(MakeAppend(absl::StrCat("stream-", t), 1)), IsOk());
      }
    });
  }
  // A tailer resumes after the last position it saw, as the outbox relay and consumers do.
  std::set<uint64_t> tailed;
  std::thread tailer([&] {
    uint64_t next = 1;
    while (true) {
      const bool last_round = done.load();
      EXPECT_THAT(store().ReadAll(next,
                                  [&](const EventEnvelope& event) -> absl::StatusOr<bool> {
                                    tailed.insert(event.position());
                                    next = event.position() + 1;
                                    return true;
                                  }),
                  IsOk());
      absl::StatusOr<VerifyReport> report = store().Verify();
      EXPECT_TRUE(report.ok() && report->ok) << (report.ok() ? report->problem : "");
      if (last_round) return;
    }
  });
  for (std::thread& writer : writers) writer.join();
  done = true;
  tailer.join();
  EXPECT_EQ(tailed.size(), static_cast<size_t>(kThreads * kAppends));
}

}  // namespace
}  // namespace breachd::eventstore
