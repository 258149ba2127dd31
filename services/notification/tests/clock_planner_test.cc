#include "services/notification/clock_planner.h"

#include <map>
#include <optional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/proto_time.h"
#include "libs/common/time_zone.h"
#include "libs/regulation/regime_loader.h"
#include "services/notification/notification_case.h"
#include "services/notification/tests/notification_test_events.h"

namespace breachd::notification {
namespace {

using breach::v1::DutyKind;
using testing::Decided;
using testing::IncidentCase;
using testing::Reported;
using testing::Submitted;
using testing::Triaged;

const absl::Time kAware = absl::FromUnixSeconds(1774602000);  // 2026-03-27T09:00:00Z

class ClockPlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto regimes = regulation::LoadRegimeDirectory(std::string(BREACHD_SOURCE_DIR) + "/regimes");
    ASSERT_TRUE(regimes.ok()) << regimes.status();
    regimes_ = *std::move(regimes);
    auto zone = LoadNamedTimeZone("Europe/Rome");
    ASSERT_TRUE(zone.ok());
    zone_ = *zone;
  }

  // Folds the events into a case and plans against `clocks`, applying the plan to them.
  ClockPlan Fold(const std::vector<breach::v1::EventEnvelope>& events) {
    for (const auto& event : events) ApplyToCase(event, case_);
    ClockPlan plan = PlanClocks(*case_, clocks_, regimes_, zone_, "test");
    for (const auto& armed : plan.armed) ApplyArmed(armed, case_->tenant(), clocks_[armed.deadline().duty()]);
    for (const auto& disarmed : plan.disarmed) ApplyDisarmed(disarmed, clocks_[disarmed.duty()]);
    return plan;
  }

  std::vector<breach::v1::Regime> regimes_;
  absl::TimeZone zone_;
  std::optional<breach::v1::NotificationCase> case_;
  ClockMap clocks_;
};

TEST_F(ClockPlannerTest, ABreachVerdictArmsAProvisionalAuthorityClockOf72Hours) {
  ClockPlan plan = Fold({Reported("B1", kAware - absl::Hours(2)), Triaged("B1", kAware)});
  ASSERT_EQ(plan.armed.size(), 1u);
  const breach::v1::Deadline& deadline = plan.armed[0].deadline();
  EXPECT_EQ(deadline.duty(), breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  EXPECT_EQ(TimeFromProto(deadline.due_at()), kAware + absl::Hours(72));
  // 27 March 2026 10:00 CET; the window crosses the change to summer time (29 March): the
  // due time is 72 elapsed hours later, 30 March 11:00 CEST.
  EXPECT_EQ(deadline.starts_at_local(), "2026-03-27T10:00:00+01:00");
  EXPECT_EQ(deadline.due_at_local(), "2026-03-30T11:00:00+02:00");
  EXPECT_EQ(deadline.warnings_size(), 3);
}

TEST_F(ClockPlannerTest, AWindowOverALeapDayIs72ElapsedHours) {
  const absl::Time aware = absl::FromUnixSeconds(1835344800);  // 2028-02-28T10:00:00Z
  ClockPlan plan = Fold({Reported("B2", aware), Triaged("B2", aware)});
  ASSERT_EQ(plan.armed.size(), 1u);
  EXPECT_EQ(plan.armed[0].deadline().starts_at_local(), "2028-02-28T11:00:00+01:00");
  EXPECT_EQ(plan.armed[0].deadline().due_at_local(), "2028-03-02T11:00:00+01:00");  // via 29 Feb
}

TEST_F(ClockPlannerTest, ConfirmedDutiesArmTheRequiredAndTheSameEventTwiceChangesNothing) {
  Fold({Reported("B1", kAware), Triaged("B1", kAware)});
  const std::vector<breach::v1::EventEnvelope> decided = {
      Submitted("B1", 1, kAware, kAware + absl::Hours(1)),
      Decided("B1", 1, /*authority=*/true, /*subjects=*/true, kAware + absl::Hours(2))};
  ClockPlan plan = Fold(decided);
  ASSERT_EQ(plan.armed.size(), 1u);  // the authority clock is unchanged; subjects is new
  EXPECT_EQ(plan.armed[0].deadline().duty(), breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  EXPECT_TRUE(Fold({}).armed.empty());
}

TEST_F(ClockPlannerTest, NotRequiredDisarmsAndACorrectedAwarenessMovesTheClock) {
  Fold({Reported("B1", kAware), Triaged("B1", kAware)});
  ClockPlan plan = Fold({Submitted("B1", 1, kAware, kAware + absl::Hours(1)),
                         Decided("B1", 1, /*authority=*/false, /*subjects=*/false,
                                 kAware + absl::Hours(2))});
  ASSERT_EQ(plan.disarmed.size(), 1u);
  EXPECT_EQ(plan.disarmed[0].reason(), "the duty is no longer required");

  Fold({Decided("B1", 1, /*authority=*/true, /*subjects=*/false, kAware + absl::Hours(3))});
  plan = Fold({Triaged("B1", kAware - absl::Hours(10), /*correction=*/true)});
  ASSERT_EQ(plan.armed.size(), 1u);
  EXPECT_EQ(TimeFromProto(plan.armed[0].deadline().due_at()), kAware + absl::Hours(62));
}

TEST_F(ClockPlannerTest, Nis2StagesInScopeGetTheirOwnClocks) {
  Fold({Reported("B3", kAware), Triaged("B3", kAware),
        Submitted("B3", 1, kAware, kAware + absl::Hours(1))});
  breach::v1::DutiesDecided decided;
  decided.set_breach_id("B3");
  decided.set_version(1);
  for (DutyKind duty : {breach::v1::DUTY_KIND_CSIRT_EARLY_WARNING,
                        breach::v1::DUTY_KIND_CSIRT_NOTIFICATION,
                        breach::v1::DUTY_KIND_CSIRT_FINAL_REPORT}) {
    breach::v1::DutyDecision decision = testing::Decision(duty, true);
    decision.set_regime("nis2-it@2026-01");
    *decided.add_decisions() = decision;
  }
  ClockPlan plan = Fold({testing::BusEvent("assessment", "B3", kAware + absl::Hours(2), decided)});
  std::map<int, std::string> due;
  for (const auto& armed : plan.armed) due[armed.deadline().duty()] = armed.deadline().due_at_local();
  EXPECT_EQ(due[breach::v1::DUTY_KIND_CSIRT_EARLY_WARNING], "2026-03-28T10:00:00+01:00");  // 24 h
  EXPECT_EQ(due[breach::v1::DUTY_KIND_CSIRT_NOTIFICATION], "2026-03-30T11:00:00+02:00");   // 72 h
  EXPECT_EQ(due[breach::v1::DUTY_KIND_CSIRT_FINAL_REPORT], "2026-04-27T10:00:00+02:00");   // a month
  // The provisional authority clock is not required by these decisions: disarmed.
  ASSERT_EQ(plan.disarmed.size(), 1u);
  EXPECT_EQ(plan.disarmed[0].duty(), breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
}

TEST_F(ClockPlannerTest, TimersAreOnePerUntoldWarningAndTheDueTime) {
  Fold({Reported("B1", kAware), Triaged("B1", kAware)});
  breach::v1::DutyClock& clock = clocks_[breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION];
  ASSERT_EQ(TimersFor(clock).size(), 4u);
  std::vector<ClockTimerSpec> timers = TimersFor(clock);
  EXPECT_EQ(timers[0].at, kAware + absl::Hours(36));

  FiredTimer first = FireClockTimer(timers[0].payload, clock);
  ASSERT_TRUE(first.warning.has_value());
  EXPECT_DOUBLE_EQ(first.warning->fraction(), 0.5);
  // The same timer again (a crash before its removal was durable cannot happen, but a stale
  // timer can): nothing more is told.
  EXPECT_FALSE(FireClockTimer(timers[0].payload, clock).warning.has_value());
  EXPECT_EQ(TimersFor(clock).size(), 3u);

  FiredTimer missed = FireClockTimer(timers[3].payload, clock);
  ASSERT_TRUE(missed.missed.has_value());
  EXPECT_FALSE(FireClockTimer(timers[3].payload, clock).missed.has_value());
  EXPECT_EQ(ClockStatusAt(clock, kAware + absl::Hours(73)), breach::v1::DEADLINE_STATUS_OVERDUE);
}

TEST_F(ClockPlannerTest, AMetClockTellsNothingMoreAndStaysMet) {
  Fold({Reported("B1", kAware), Triaged("B1", kAware)});
  breach::v1::DutyClock& clock = clocks_[breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION];
  const std::vector<ClockTimerSpec> timers = TimersFor(clock);
  breach::v1::DutySubmitted submitted;
  submitted.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  *submitted.mutable_submitted_at() = ProtoFromTime(kAware + absl::Hours(20));
  ApplySubmitted(submitted, clock);
  EXPECT_TRUE(TimersFor(clock).empty());
  EXPECT_FALSE(FireClockTimer(timers[0].payload, clock).warning.has_value());
  EXPECT_EQ(ClockStatusAt(clock, kAware + absl::Hours(100)), breach::v1::DEADLINE_STATUS_MET);
  EXPECT_TRUE(Fold({Triaged("B1", kAware - absl::Hours(1), true)}).armed.empty());
}

TEST_F(ClockPlannerTest, ClosingDisarmsEveryClock) {
  Fold({Reported("B1", kAware), Triaged("B1", kAware)});
  breach::v1::BreachClosed closed;
  closed.set_breach_id("B1");
  closed.set_reason("done");
  // Closing follows the lifecycle from "decided"; here the case is only triaged, so mark it.
  case_->set_closed(true);
  ClockPlan plan = Fold({});
  ASSERT_EQ(plan.disarmed.size(), 1u);
  EXPECT_EQ(plan.disarmed[0].reason(), "the breach was closed");
}

// A provider-wide incident's case: the processor's 48-hour notice to the school runs from the
// provider's awareness as soon as the case exists, before any triage or assessment.
TEST_F(ClockPlannerTest, AnIncidentCaseArmsTheProcessorsNoticeFromTheProvidersAwareness) {
  const absl::Time provider_aware = kAware - absl::Hours(5);
  ClockPlan plan = Fold({IncidentCase("B9", provider_aware)});
  ASSERT_EQ(plan.armed.size(), 1u);
  const breach::v1::Deadline& deadline = plan.armed[0].deadline();
  EXPECT_EQ(deadline.duty(), breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  EXPECT_EQ(TimeFromProto(deadline.starts_at()), provider_aware);
  EXPECT_EQ(TimeFromProto(deadline.due_at()), provider_aware + absl::Hours(48));
  EXPECT_EQ(deadline.regime(), "processor-contract@2026-01");
  EXPECT_TRUE(Fold({}).armed.empty());  // planned again: nothing moves
}

// The school's awareness (its triage, or its acknowledgement of the notice) starts its own 72
// hours; the processor's clock stays as it was, and the school's decisions do not disarm it.
TEST_F(ClockPlannerTest, TheSchoolsAwarenessAddsItsOwnClockAndKeepsTheProcessors) {
  const absl::Time provider_aware = kAware - absl::Hours(5);
  Fold({IncidentCase("B9", provider_aware)});
  ClockPlan plan = Fold({Triaged("B9", kAware)});
  ASSERT_EQ(plan.armed.size(), 1u);
  EXPECT_EQ(plan.armed[0].deadline().duty(), breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  EXPECT_EQ(TimeFromProto(plan.armed[0].deadline().due_at()), kAware + absl::Hours(72));
  EXPECT_TRUE(plan.disarmed.empty());
  plan = Fold({Submitted("B9", 1, kAware, kAware + absl::Hours(1)),
               Decided("B9", 1, /*authority=*/false, /*subjects=*/false, kAware + absl::Hours(2))});
  ASSERT_EQ(plan.disarmed.size(), 1u);  // the Garante's clock: not required
  EXPECT_EQ(plan.disarmed[0].duty(), breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  EXPECT_TRUE(clocks_[breach::v1::DUTY_KIND_CONTROLLER_NOTICE].armed());
}

// A report the school filed itself has no processor's awareness: no processor's clock.
TEST_F(ClockPlannerTest, AnOrdinaryReportArmsNoProcessorsNotice) {
  EXPECT_TRUE(Fold({Reported("B1", kAware)}).armed.empty());
}

}  // namespace
}  // namespace breachd::notification
