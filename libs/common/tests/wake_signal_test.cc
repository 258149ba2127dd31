// WakeSignal: a poke before the wait is kept, taken once; a stop ends every wait; no sleeps (a
// wait that must time out is given zero).
#include "libs/common/wake_signal.h"

#include <thread>

#include "gtest/gtest.h"

namespace breachd {
namespace {

TEST(WakeSignalTest, APokeBeforeTheWaitIsKeptAndTakenOnce) {
  WakeSignal signal;
  signal.Poke();
  EXPECT_TRUE(signal.WaitForWork(absl::InfiniteDuration()));  // returns at once
  EXPECT_TRUE(signal.WaitForWork(absl::ZeroDuration()));      // timed out, not stopped
}

TEST(WakeSignalTest, AStopEndsTheWaitInProgressAndEveryLaterOne) {
  WakeSignal signal;
  std::thread stopper([&] { signal.Stop(); });
  EXPECT_FALSE(signal.WaitForWork(absl::InfiniteDuration()));
  stopper.join();
  signal.Poke();
  EXPECT_FALSE(signal.WaitForWork(absl::ZeroDuration()));
  EXPECT_TRUE(signal.stopped());
}

TEST(WakeSignalTest, ARestartWaitsAgainAndCanStartPoked) {
  WakeSignal signal(/*poked=*/true);
  signal.Stop();
  signal.Restart(/*poked=*/true);
  EXPECT_FALSE(signal.stopped());
  EXPECT_TRUE(signal.WaitForWork(absl::InfiniteDuration()));
}

}  // namespace
}  // namespace breachd
