#include "libs/service/read_recorder.h"

#include <atomic>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "breach/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/service/event_factory.h"

namespace breachd::service {
namespace {

constexpr char kBreach[] = "01JQ0LAPTOP000000000000000";
const auth::Principal kDpo{"user:dpo-vespucci", "MIIS01200V", {"school-dpo"}};

breach::v1::EventEnvelope Read(const std::string& stream, const std::string& view) {
  breach::v1::BreachViewed viewed;
  viewed.set_breach_id(stream);
  viewed.set_view(view);
  return MakeEvent({"register", kDpo, "read", stream}, "MIIS01200V", absl::Now(), viewed);
}

TEST(ReadRecorderTest, ALoneReadIsStoredAndReturnedAsStored) {
  ::breachd::testing::ScratchDir scratch("read-recorder");
  ASSERT_OK_AND_ASSIGN(auto store, eventstore::EventStore::Open(scratch.path()));
  ReadRecorder recorder(*store);
  ASSERT_OK_AND_ASSIGN(breach::v1::EventEnvelope stored, recorder.Record(kBreach, Read(kBreach, "knowledge")));
  EXPECT_EQ(stored.stream_id(), kBreach);
  EXPECT_EQ(stored.stream_version(), 1u);
  EXPECT_FALSE(stored.hash().empty());
  ASSERT_OK_AND_ASSIGN(auto events, store->ReadStream(kBreach, 1));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event_id(), stored.event_id());
  EXPECT_EQ(recorder.counters().writes, 1u);
}

// While one write is under way (held in the store's append observer until the others queue up),
// seven concurrent reads of two breaches wait, and then share one write: two in all, and each
// read comes back as stored, in its stream's chain.
TEST(ReadRecorderTest, ReadsArrivingDuringAWriteShareTheNextOne) {
  ::breachd::testing::ScratchDir scratch("read-recorder");
  ReadRecorder* recorder_for_observer = nullptr;
  std::atomic<int> appends{0};
  eventstore::Options options;
  options.append_observer = [&](absl::Duration) {
    if (appends++ > 0) return;
    // The first write: hold it until the seven other reads wait behind it.
    while (recorder_for_observer->counters().queued < 7) std::this_thread::yield();
  };
  ASSERT_OK_AND_ASSIGN(auto store, eventstore::EventStore::Open(scratch.path(), options));
  ReadRecorder recorder(*store);
  recorder_for_observer = &recorder;
  const std::string other = "01JQ0OTHER0000000000000000";
  std::vector<absl::StatusOr<breach::v1::EventEnvelope>> stored(8, absl::UnknownError("unset"));
  std::thread first([&] { stored[0] = recorder.Record(kBreach, Read(kBreach, "knowledge")); });
  while (appends.load() == 0 && recorder.counters().writes == 0 &&
         recorder.counters().queued == 0) {
    std::this_thread::yield();  // the first read leads
  }
  std::vector<std::thread> others;
  for (int i = 1; i < 8; ++i) {
    others.emplace_back([&, i] {
      const std::string& stream = i % 2 == 0 ? other : std::string(kBreach);
      stored[i] = recorder.Record(stream, Read(stream, absl::StrCat("timeline-", i)));
    });
  }
  first.join();
  for (std::thread& thread : others) thread.join();

  EXPECT_EQ(recorder.counters().reads, 8u);
  EXPECT_EQ(recorder.counters().writes, 2u);
  std::set<std::string> ids;
  for (const auto& read : stored) {
    ASSERT_TRUE(read.ok()) << read.status();
    ids.insert(read->event_id());
  }
  EXPECT_EQ(ids.size(), 8u);
  ASSERT_OK_AND_ASSIGN(auto breach_events, store->ReadStream(kBreach, 1));
  ASSERT_OK_AND_ASSIGN(auto other_events, store->ReadStream(other, 1));
  EXPECT_EQ(breach_events.size(), 5u);
  EXPECT_EQ(other_events.size(), 3u);
  ASSERT_OK_AND_ASSIGN(eventstore::VerifyReport report, store->Verify());
  EXPECT_TRUE(report.ok) << report.problem;
}

TEST(ReadRecorderTest, AFailedWriteFailsItsReadsAndAnswersNone) {
  ::breachd::testing::ScratchDir scratch("read-recorder");
  eventstore::Options options;
  options.free_disk_bytes = []() -> absl::StatusOr<uint64_t> { return 0; };  // a full disk
  ASSERT_OK_AND_ASSIGN(auto store, eventstore::EventStore::Open(scratch.path(), options));
  ReadRecorder recorder(*store);
  EXPECT_FALSE(recorder.Record(kBreach, Read(kBreach, "knowledge")).ok());
  ASSERT_OK_AND_ASSIGN(auto events, store->ReadStream(kBreach, 1));
  EXPECT_TRUE(events.empty());
}

}  // namespace
}  // namespace breachd::service
