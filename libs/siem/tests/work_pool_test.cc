#include "libs/siem/work_pool.h"

#include <atomic>
#include <vector>

#include "gtest/gtest.h"

namespace breachd::siem {
namespace {

TEST(WorkPoolTest, RunsEveryTaskOnceJobAfterJob) {
  for (size_t threads : {1u, 3u}) {
    WorkPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (int job = 0; job < 50; ++job) {
      std::vector<std::atomic<int>> runs(17);
      ASSERT_TRUE(pool.Run(runs.size(), [&](size_t task) {
                        ++runs[task];
                        return absl::OkStatus();
                      }).ok());
      for (const auto& count : runs) EXPECT_EQ(count.load(), 1);
    }
  }
}

TEST(WorkPoolTest, ATaskErrorIsReturnedAfterTheOthersFinish) {
  WorkPool pool(2);
  std::atomic<int> finished{0};
  const absl::Status status = pool.Run(8, [&](size_t task) {
    ++finished;
    return task == 5 ? absl::DataLossError("part 5 does not parse") : absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(finished.load(), 8);
  EXPECT_TRUE(pool.Run(2, [](size_t) { return absl::OkStatus(); }).ok());  // reusable after
}

}  // namespace
}  // namespace breachd::siem
