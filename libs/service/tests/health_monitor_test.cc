#include "libs/service/health_monitor.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"

namespace breachd::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

HealthSample Pending(uint64_t published) {
  HealthSample sample;
  sample.outbox_pending = true;
  sample.published = published;
  return sample;
}

TEST(HealthJudgeTest, AQuietServiceIsServing) {
  FakeClock clock;
  HealthJudge judge;
  EXPECT_THAT(judge.Causes({}, clock.Now()), IsEmpty());
  clock.Advance(absl::Hours(1));
  EXPECT_THAT(judge.Causes({}, clock.Now()), IsEmpty());
}

TEST(HealthJudgeTest, ParkedEventsRefusedWritesAndUnreadableStoreAreEachACause) {
  FakeClock clock;
  HealthJudge judge;
  HealthSample sample;
  sample.parked = 2;
  EXPECT_THAT(judge.Causes(sample, clock.Now()), ElementsAre(HasSubstr("2 parked event(s)")));
  sample.writes = absl::UnavailableError("event store refuses writes since ...");
  sample.reads = absl::UnavailableError("read failed");
  EXPECT_THAT(judge.Causes(sample, clock.Now()), SizeIs(3));
}

TEST(HealthJudgeTest, EventsTheConsumerParkedAreACause) {
  FakeClock clock;
  HealthJudge judge;
  HealthSample sample;
  sample.consumer_parked = 1;
  EXPECT_THAT(judge.Causes(sample, clock.Now()),
              ElementsAre(HasSubstr("1 event(s) this service could not apply")));
}

TEST(HealthJudgeTest, RelayIsStuckOnlyWhenEventsWaitAndNothingIsPublishedPastTheStall) {
  FakeClock clock;
  HealthJudge judge(HealthPolicy{.relay_stall = absl::Seconds(30)});
  EXPECT_THAT(judge.Causes(Pending(5), clock.Now()), IsEmpty());
  clock.Advance(absl::Seconds(30));
  EXPECT_THAT(judge.Causes(Pending(5), clock.Now()), IsEmpty());
  clock.Advance(absl::Seconds(1));
  EXPECT_THAT(judge.Causes(Pending(5), clock.Now()), ElementsAre(HasSubstr("relay stuck")));
  // Progress clears it, and the stall counts from there.
  EXPECT_THAT(judge.Causes(Pending(6), clock.Now()), IsEmpty());
  clock.Advance(absl::Seconds(20));
  EXPECT_THAT(judge.Causes(Pending(6), clock.Now()), IsEmpty());
}

TEST(HealthJudgeTest, AnEmptyOutboxIsNeverStuck) {
  FakeClock clock;
  HealthJudge judge(HealthPolicy{.relay_stall = absl::Seconds(30)});
  HealthSample idle;
  idle.published = 5;
  EXPECT_THAT(judge.Causes(idle, clock.Now()), IsEmpty());
  clock.Advance(absl::Minutes(5));
  EXPECT_THAT(judge.Causes(idle, clock.Now()), IsEmpty());
  // Events arrive: the stall counts from the last time the outbox was seen empty.
  clock.Advance(absl::Seconds(1));
  EXPECT_THAT(judge.Causes(Pending(5), clock.Now()), IsEmpty());
}

TEST(HealthMonitorTest, SetsNotServingWhileACauseHoldsAndServingWhenItGoes) {
  FakeClock clock;
  HealthSample intake;
  std::vector<std::pair<std::string, bool>> set;
  HealthMonitor monitor({{"breach.v1.IntakeService", [&] { return intake; }},
                         {"breach.v1.RegisterService", [] { return HealthSample{}; }}},
                        [&](const std::string& name, bool serving) {
                          set.emplace_back(name, serving);
                        },
                        clock);
  monitor.CheckNow();
  EXPECT_THAT(set, IsEmpty());  // already SERVING

  intake.parked = 1;
  monitor.CheckNow();
  monitor.CheckNow();
  EXPECT_THAT(set, ElementsAre(std::pair<std::string, bool>("breach.v1.IntakeService", false)));

  intake.parked = 0;
  monitor.CheckNow();
  EXPECT_THAT(set, ElementsAre(std::pair<std::string, bool>("breach.v1.IntakeService", false),
                               std::pair<std::string, bool>("breach.v1.IntakeService", true)));
}

TEST(HealthMonitorTest, StopsPromptly) {
  HealthMonitor monitor({}, [](const std::string&, bool) {}, SystemClock::Get());
  monitor.Start(absl::Hours(1));
  monitor.Stop();  // does not wait for the interval
  monitor.Stop();
}

}  // namespace
}  // namespace breachd::service
