#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/eventstore/tests/event_store_fixture.h"

namespace breachd::eventstore {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::ElementsAre;
using testing::EventStoreTest;
using testing::MakeAppend;
using ::testing::Optional;
using ::testing::Pair;

class ProjectionTest : public EventStoreTest {
 protected:
  std::optional<std::string> Row(const std::string& key) {
    absl::StatusOr<std::optional<std::string>> row = store().GetProjection(key);
    EXPECT_THAT(row, IsOk());
    return row.value_or(std::nullopt);
  }
  bool Consumed(const std::string& event_id) {
    absl::StatusOr<bool> consumed = store().WasConsumed(event_id);
    EXPECT_THAT(consumed, IsOk());
    return consumed.value_or(false);
  }
  std::vector<std::pair<std::string, std::string>> Scan(const std::string& prefix,
                                                        const std::string& start_after = "",
                                                        size_t limit = 100) {
    std::vector<std::pair<std::string, std::string>> rows;
    EXPECT_THAT(store().ScanProjection(prefix, start_after,
                                       [&](const std::string& key, const std::string& value) {
                                         rows.emplace_back(key, value);
                                         return rows.size() < limit;
                                       }),
                IsOk());
    return rows;
  }
};

TEST_F(ProjectionTest, RowsAreWrittenWithTheEvents) {
  AppendRequest request = MakeAppend("breach-1", 1);
  request.projection = {{.key = "breach/1", .value = "open"}, {.key = "tenant/X/1", .value = "1"}};
  ASSERT_THAT(store().Append(request), IsOk());
  EXPECT_THAT(Row("breach/1"), Optional(std::string("open")));

  AppendRequest close = MakeAppend("breach-1", 1);
  close.projection = {{.key = "breach/1", .value = "", .erase = true}};
  ASSERT_THAT(store().Append(close), IsOk());
  EXPECT_EQ(Row("breach/1"), std::nullopt);
  EXPECT_THAT(Row("tenant/X/1"), Optional(std::string("1")));
}

TEST_F(ProjectionTest, AnAppendAcrossStreamsWritesEveryStreamAndRowOrNothing) {
  ASSERT_THAT(store().Append(MakeAppend("breach-2", 1)), IsOk());
  std::vector<AppendRequest> requests = {MakeAppend("breach-2", 2), MakeAppend("breach-1", 1)};
  requests[0].projection = {{.key = "clock/2", .value = "warned"}};
  requests[1].projection = {{.key = "clock/1", .value = "warned"}};
  absl::StatusOr<std::vector<AppendResult>> appended = store().AppendAcrossStreams(requests);
  ASSERT_THAT(appended, IsOk());
  EXPECT_EQ(store().StreamVersion("breach-1").value_or(0), 1u);
  EXPECT_EQ(store().StreamVersion("breach-2").value_or(0), 3u);
  EXPECT_THAT(Row("clock/1"), Optional(std::string("warned")));
  EXPECT_THAT(store().Verify(), IsOk());

  // One stale request refuses the whole batch: no stream moves, no row is written.
  std::vector<AppendRequest> stale = {MakeAppend("breach-1", 1, /*expected_version=*/0),
                                      MakeAppend("breach-3", 1)};
  stale[1].projection = {{.key = "clock/3", .value = "warned"}};
  EXPECT_THAT(store().AppendAcrossStreams(stale), StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(store().StreamVersion("breach-3").value_or(9), 0u);
  EXPECT_EQ(Row("clock/3"), std::nullopt);

  // The same batch again is refused rather than stored twice.
  EXPECT_THAT(store().AppendAcrossStreams(requests), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(ProjectionTest, AFailedAppendWritesNoRows) {
  ASSERT_THAT(store().Append(MakeAppend("breach-1", 1)), IsOk());
  AppendRequest conflicting = MakeAppend("breach-1", 1, /*expected_version=*/0);
  conflicting.projection = {{.key = "breach/1", .value = "should not exist"}};
  EXPECT_THAT(store().Append(conflicting), StatusIs(absl::StatusCode::kAborted));
  AppendRequest invalid = MakeAppend("breach-1", 1);
  invalid.events[0].clear_type();
  invalid.projection = {{.key = "breach/1", .value = "should not exist"}};
  EXPECT_THAT(store().Append(invalid), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Row("breach/1"), std::nullopt);
  EXPECT_EQ(store().LastPosition(), 1u);
}

// A reaction to another service's event marks that event consumed in its own write; a failed
// append marks nothing, and an idempotent retry leaves the marking to the caller.
TEST_F(ProjectionTest, AnAppendMarksTheEventItReactsToConsumedOrNothingWhenItFails) {
  AppendRequest conflicting = MakeAppend("breach-1", 1, /*expected_version=*/3);
  conflicting.consumed_event_id = "other-event-1";
  EXPECT_THAT(store().Append(conflicting), StatusIs(absl::StatusCode::kAborted));
  // (An error reads as the opposite of what is expected.)
  EXPECT_EQ(store().WasConsumed("other-event-1").value_or(true), false);

  AppendRequest reaction = MakeAppend("breach-1", 1);
  reaction.consumed_event_id = "other-event-1";
  ASSERT_THAT(store().Append(reaction), IsOk());
  EXPECT_EQ(store().WasConsumed("other-event-1").value_or(false), true);
  EXPECT_EQ(store().ApplyConsumed("other-event-1", {}, false).value_or(true), false);

  std::vector<AppendRequest> across = {MakeAppend("breach-2", 1), MakeAppend("breach-3", 1)};
  across[1].consumed_event_id = "other-event-2";
  ASSERT_THAT(store().AppendAcrossStreams(across), IsOk());
  EXPECT_EQ(store().WasConsumed("other-event-2").value_or(false), true);
}

TEST_F(ProjectionTest, ScanHonoursPrefixStartAfterAndStop) {
  AppendRequest request = MakeAppend("breach-1", 1);
  for (const char* key : {"a/1", "b/1", "b/2", "b/3", "c/1"}) {
    request.projection.push_back({.key = key, .value = std::string("v") + key});
  }
  ASSERT_THAT(store().Append(request), IsOk());
  EXPECT_THAT(Scan("b/"),
              ElementsAre(Pair("b/1", "vb/1"), Pair("b/2", "vb/2"), Pair("b/3", "vb/3")));
  EXPECT_THAT(Scan("b/", "b/1"), ElementsAre(Pair("b/2", "vb/2"), Pair("b/3", "vb/3")));
  EXPECT_THAT(Scan("b/", "", 1), ElementsAre(Pair("b/1", "vb/1")));
  EXPECT_THAT(Scan(""), ::testing::SizeIs(5));
}

TEST_F(ProjectionTest, UnsyncedApplyConsumedIsVisibleDedupedAndSurvivesReopen) {
  ASSERT_OK_AND_ASSIGN(bool applied, store().ApplyConsumed(
                                         "foreign-9", {{.key = "late", .value = "1"}}, false));
  EXPECT_TRUE(applied);
  ASSERT_OK_AND_ASSIGN(bool again, store().ApplyConsumed("foreign-9", {}, false));
  EXPECT_FALSE(again);
  ASSERT_THAT(store().WriteProjection({}, /*sync=*/true), IsOk());  // what a consumer does
  Reopen();
  EXPECT_THAT(Row("late"), Optional(std::string("1")));
  EXPECT_TRUE(store().WasConsumed("foreign-9").value_or(false));
}

TEST_F(ProjectionTest, ApplyConsumedAppliesEachEventOnce) {
  ASSERT_OK_AND_ASSIGN(bool applied,
                       store().ApplyConsumed("foreign-1", {{.key = "seen", .value = "1"}}));
  EXPECT_TRUE(applied);
  ASSERT_OK_AND_ASSIGN(bool again,
                       store().ApplyConsumed("foreign-1", {{.key = "seen", .value = "2"}}));
  EXPECT_FALSE(again);
  EXPECT_THAT(Row("seen"), Optional(std::string("1")));
  EXPECT_TRUE(store().WasConsumed("foreign-1").value_or(false));
  EXPECT_FALSE(store().WasConsumed("foreign-2").value_or(true));
  EXPECT_THAT(store().ApplyConsumed("", {}), StatusIs(absl::StatusCode::kInvalidArgument,
                                                      ::testing::HasSubstr("consumed_event_id")));
  Reopen();
  ASSERT_OK_AND_ASSIGN(bool after_restart, store().ApplyConsumed("foreign-1", {}));
  EXPECT_FALSE(after_restart);
}

TEST_F(ProjectionTest, ConcurrentRedeliveriesApplyOnce) {
  std::atomic<int> applied{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      absl::StatusOr<bool> result =
          store().ApplyConsumed("foreign-1", {{.key = "k", .value = "v"}});
      EXPECT_THAT(result, IsOk());
      if (result.value_or(false)) ++applied;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(applied.load(), 1);
}

TEST_F(ProjectionTest, ReplayRebuildsFromScratch) {
  for (const char* stream : {"breach-1", "breach-2", "breach-1"}) {
    ASSERT_THAT(store().Append(MakeAppend(stream, 1)), IsOk());
  }
  ASSERT_THAT(store().ApplyConsumed("foreign-1", {{.key = "stale", .value = "x"}}), IsOk());

  // Counts events per stream, reading its own earlier rows as a real projector would.
  auto count_per_stream =
      [&](const EventEnvelope& event) -> absl::StatusOr<std::vector<ProjectionWrite>> {
    const std::string key = "count/" + event.stream_id();
    ASSIGN_OR_RETURN(std::optional<std::string> current, store().GetProjection(key));
    int count = 0;
    if (current && !absl::SimpleAtoi(*current, &count)) return absl::InternalError("bad count");
    return std::vector<ProjectionWrite>{{.key = key, .value = std::to_string(count + 1)}};
  };
  ASSERT_THAT(ReplayProjection(store(), count_per_stream), IsOk());

  EXPECT_THAT(Scan(""), ElementsAre(Pair("count/breach-1", "2"), Pair("count/breach-2", "1")));
  EXPECT_FALSE(store().WasConsumed("foreign-1").value_or(true));

  auto failing = [](const EventEnvelope&) -> absl::StatusOr<std::vector<ProjectionWrite>> {
    return absl::InternalError("projector broke");
  };
  EXPECT_THAT(ReplayProjection(store(), failing), StatusIs(absl::StatusCode::kInternal));
}

TEST_F(ProjectionTest, AStagedGenerationIsInvisibleUntilSwappedThenServesAlone) {
  ASSERT_THAT(store().ApplyConsumed("e1", {{.key = "row/a", .value = "old"},
                                           {.key = "row/gone", .value = "old"}}),
              IsOk());
  ASSERT_OK_AND_ASSIGN(uint64_t staged, store().StageProjection());
  EXPECT_EQ(staged, 1u);
  ASSERT_THAT(store().WriteStagedProjection(staged, {{.key = "row/a", .value = "new"},
                                                     {.key = "row/b", .value = "new"}},
                                            {"e1", "e2"}),
              IsOk());
  // The serving generation is untouched while the staged one fills.
  EXPECT_THAT(Row("row/a"), Optional(std::string("old")));
  EXPECT_EQ(Row("row/b"), std::nullopt);
  EXPECT_EQ(Consumed("e2"), false);
  ASSERT_THAT(store().ApplyConsumed("e3", {{.key = "row/c", .value = "live"}}), IsOk());
  EXPECT_EQ(store().ProjectionGeneration(), 0u);

  ASSERT_THAT(store().SwapProjection(staged), IsOk());
  EXPECT_EQ(store().ProjectionGeneration(), 1u);
  EXPECT_THAT(Scan("row/"), ElementsAre(Pair("row/a", "new"), Pair("row/b", "new")));
  EXPECT_EQ(Consumed("e2"), true);
  EXPECT_EQ(Consumed("e3"), false);  // it was the old generation's
  EXPECT_THAT(store().WriteStagedProjection(staged, {}, {"e4"}),
              StatusIs(absl::StatusCode::kFailedPrecondition));

  // Durable, and a second rebuild swaps again.
  Reopen();
  EXPECT_EQ(store().ProjectionGeneration(), 1u);
  EXPECT_THAT(Scan("row/"), ElementsAre(Pair("row/a", "new"), Pair("row/b", "new")));
  ASSERT_OK_AND_ASSIGN(uint64_t second, store().StageProjection());
  EXPECT_EQ(second, 2u);
  ASSERT_THAT(store().WriteStagedProjection(second, {{.key = "row/z", .value = "2"}}, {}), IsOk());
  ASSERT_THAT(store().SwapProjection(second), IsOk());
  Reopen();
  EXPECT_EQ(store().ProjectionGeneration(), 2u);
  EXPECT_THAT(Scan("row/"), ElementsAre(Pair("row/z", "2")));
}

TEST_F(ProjectionTest, AStagedGenerationNotSwappedIsDroppedAtTheNextOpen) {
  ASSERT_THAT(store().ApplyConsumed("e1", {{.key = "row/a", .value = "old"}}), IsOk());
  ASSERT_OK_AND_ASSIGN(uint64_t staged, store().StageProjection());
  ASSERT_THAT(store().WriteStagedProjection(staged, {{.key = "row/a", .value = "half"}}, {"e9"}),
              IsOk());
  Reopen();  // as after a crash or a stop mid-rebuild
  EXPECT_EQ(store().ProjectionGeneration(), 0u);
  EXPECT_THAT(Scan("row/"), ElementsAre(Pair("row/a", "old")));
  EXPECT_EQ(Consumed("e9"), false);
  EXPECT_THAT(store().WriteStagedProjection(staged, {}, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // The next rebuild gets a number never used, and a discarded one is gone too.
  ASSERT_OK_AND_ASSIGN(uint64_t next, store().StageProjection());
  EXPECT_GT(next, staged);
  ASSERT_THAT(store().DiscardStagedProjection(next), IsOk());
  EXPECT_THAT(store().SwapProjection(next), StatusIs(absl::StatusCode::kFailedPrecondition));
  Reopen();
  EXPECT_THAT(Scan("row/"), ElementsAre(Pair("row/a", "old")));
}

// The staged generation's write path (staged_tables.h): rows from several threads and calls, in
// any order, held and written as sorted table files at each flush; a later write of a key
// replaces an earlier one, within a spill and across spills (the later files land over the
// earlier ones), an erase hides a row an earlier spill wrote.
TEST_F(ProjectionTest, StagedRowsFromManyWritersAndSpillsReadAsWrittenLastWins) {
  ASSERT_OK_AND_ASSIGN(uint64_t staged, store().StageProjection());
  constexpr int kWriters = 4;
  constexpr int kRowsEach = 2500;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      // Descending keys, interleaved between writers: every call out of order.
      for (int chunk = 0; chunk < 5; ++chunk) {
        std::vector<ProjectionWrite> rows;
        std::vector<std::string> markers;
        for (int i = kRowsEach / 5 - 1; i >= 0; --i) {
          const int n = (chunk * (kRowsEach / 5) + i) * kWriters + w;
          rows.push_back({.key = absl::StrCat("row/", 100000 + n), .value = "first"});
          markers.push_back(absl::StrCat("e", n));
        }
        if (!store().WriteStagedProjection(staged, rows, markers).ok()) ++failures;
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  ASSERT_EQ(failures, 0);
  // The same key twice in one call: the last one.
  ASSERT_THAT(store().WriteStagedProjection(staged, {{.key = "row/100000", .value = "second"},
                                                     {.key = "row/100000", .value = "third"}},
                                            {}),
              IsOk());
  ASSERT_THAT(store().FlushStagedProjection(staged), IsOk());  // spill 1
  ASSERT_THAT(store().WriteStagedProjection(
                  staged, {{.key = "row/100001", .value = "", .erase = true},
                           {.key = "row/100002", .value = "later"}, {.key = "row/0", .value = "new"}},
                  {"e-late"}),
              IsOk());
  ASSERT_THAT(store().SwapProjection(staged), IsOk());  // spill 2, then the swap

  for (bool reopened : {false, true}) {
    if (reopened) Reopen();
    const auto rows = Scan("row/", "", 20000);
    ASSERT_EQ(rows.size(), kWriters * kRowsEach) << "reopened " << reopened;  // 1 gone, 1 new
    EXPECT_THAT(rows[0], Pair("row/0", "new"));
    EXPECT_THAT(rows[1], Pair("row/100000", "third"));
    EXPECT_THAT(rows[2], Pair("row/100002", "later"));
    EXPECT_THAT(rows[3], Pair("row/100003", "first"));
    EXPECT_EQ(Row("row/100001"), std::nullopt);
    EXPECT_TRUE(Consumed("e0"));
    EXPECT_TRUE(Consumed(absl::StrCat("e", kWriters * kRowsEach - 1)));
    EXPECT_TRUE(Consumed("e-late"));
    EXPECT_FALSE(Consumed("e-never"));
  }
  // Serving, the generation takes the consumer's writes as any other.
  ASSERT_THAT(store().ApplyConsumed("e-live", {{.key = "row/100003", .value = "live"}}), IsOk());
  EXPECT_THAT(Row("row/100003"), Optional(std::string("live")));
}

// A rebuild killed mid-spill leaves table files never ingested; the next open removes them with
// the staged generation (register_rebuild_crash_test kills a whole rebuild).
TEST_F(ProjectionTest, TableFilesOfAStagedGenerationNeverIngestedAreRemovedAtOpen) {
  ASSERT_THAT(store().ApplyConsumed("e1", {{.key = "row/a", .value = "old"}}), IsOk());
  ASSERT_OK_AND_ASSIGN(uint64_t staged, store().StageProjection());
  ASSERT_THAT(store().WriteStagedProjection(staged, {{.key = "row/a", .value = "new"}}, {"e2"}),
              IsOk());
  ASSERT_THAT(store().FlushStagedProjection(staged), IsOk());
  Close();
  const std::filesystem::path tables = std::filesystem::path(dir_.path()) / "staged-tables";
  std::filesystem::create_directories(tables);
  { std::ofstream(tables / "g1-7.sst") << "half a table"; }
  Reopen();
  EXPECT_FALSE(std::filesystem::exists(tables / "g1-7.sst"));
  EXPECT_EQ(store().ProjectionGeneration(), 0u);
  EXPECT_THAT(Scan("row/"), ElementsAre(Pair("row/a", "old")));
  EXPECT_FALSE(Consumed("e2"));
}

}  // namespace
}  // namespace breachd::eventstore
