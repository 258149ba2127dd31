// ReadStreams: the events of some streams in position order, the same as ReadAll filtered,
// whichever way the store walks (its stream index for a long range, the events for a short one).
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/eventstore/tests/event_store_fixture.h"

namespace breachd::eventstore {
namespace {

class ReadStreamsTest : public testing::EventStoreTest {
 protected:
  void SetUp() override {
    options_.sync = false;  // a fixture of 600 appends, filled fast
    Reopen();
  }

  // 40 streams, 15 events each, appended round-robin (so every stream's events interleave),
  // plus a few multi-event appends.
  void Fill() {
    for (int round = 0; round < 15; ++round) {
      for (int stream = 0; stream < 40; ++stream) {
        ASSERT_TRUE(store_->Append(testing::MakeAppend(absl::StrCat("s-", stream), 1)).ok());
      }
    }
    ASSERT_TRUE(store_->Append(testing::MakeAppend("s-3", 4)).ok());
  }

  static bool Wanted(std::string_view stream) {
    static const std::set<std::string, std::less<>> wanted = {"s-3", "s-7", "s-12", "s-39"};
    return wanted.contains(stream);
  }

  std::vector<uint64_t> Filtered(uint64_t from, size_t stop_after = SIZE_MAX) {
    std::vector<uint64_t> positions;
    const absl::Status read = store_->ReadStreams(
        from, Wanted, [&](const EventEnvelope& event) -> absl::StatusOr<bool> {
          EXPECT_TRUE(Wanted(event.stream_id())) << event.stream_id();
          positions.push_back(event.position());
          return positions.size() < stop_after;
        });
    EXPECT_TRUE(read.ok()) << read;
    return positions;
  }

  std::vector<uint64_t> AllThenFiltered(uint64_t from) {
    std::vector<uint64_t> positions;
    EXPECT_TRUE(store_
                    ->ReadAll(from,
                              [&](const EventEnvelope& event) -> absl::StatusOr<bool> {
                                if (Wanted(event.stream_id())) positions.push_back(event.position());
                                return true;
                              })
                    .ok());
    return positions;
  }
};

TEST_F(ReadStreamsTest, ALongRangeThroughTheIndexIsReadAllFiltered) {
  Fill();
  const std::vector<uint64_t> expected = AllThenFiltered(1);
  ASSERT_EQ(expected.size(), 4u * 15 + 4);
  EXPECT_EQ(Filtered(0), expected);  // 0 reads from the first, as ReadAll's 1
  EXPECT_EQ(Filtered(1), expected);
  EXPECT_EQ(Filtered(200), AllThenFiltered(200));  // from the middle of the history
}

TEST_F(ReadStreamsTest, AShortRangeThroughTheEventsIsTheSame) {
  Fill();
  // Fewer positions left than streams: the store walks the events.
  const uint64_t from = store_->LastPosition() - 10;
  EXPECT_EQ(Filtered(from), AllThenFiltered(from));
  EXPECT_FALSE(Filtered(from).empty());
  EXPECT_TRUE(Filtered(store_->LastPosition() + 1).empty());
}

TEST_F(ReadStreamsTest, StopsWhenTheVisitorSaysSoAndAcceptsNothingWhenNothingMatches) {
  Fill();
  const std::vector<uint64_t> expected = AllThenFiltered(1);
  EXPECT_EQ(Filtered(1, 5), std::vector<uint64_t>(expected.begin(), expected.begin() + 5));
  size_t visited = 0;
  ASSERT_TRUE(store_
                  ->ReadStreams(
                      1, [](std::string_view) { return false; },
                      [&](const EventEnvelope&) -> absl::StatusOr<bool> {
                        ++visited;
                        return true;
                      })
                  .ok());
  EXPECT_EQ(visited, 0u);
}

TEST_F(ReadStreamsTest, AVisitorErrorIsReturned) {
  Fill();
  const absl::Status read = store_->ReadStreams(
      1, Wanted, [](const EventEnvelope&) -> absl::StatusOr<bool> {
        return absl::CancelledError("reader gone");
      });
  EXPECT_EQ(read.code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace breachd::eventstore
