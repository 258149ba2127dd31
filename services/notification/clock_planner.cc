#include "services/notification/clock_planner.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/proto_time.h"
#include "libs/regulation/deadlines.h"
#include "libs/regulation/regime.h"
#include "services/notification/notification_case.h"

namespace breachd::notification {
namespace {

using breach::v1::DutyClock;
using breach::v1::DutyKind;

bool IsMet(const DutyClock& clock) {
  return clock.deadline().status() == breach::v1::DEADLINE_STATUS_MET ||
         clock.deadline().status() == breach::v1::DEADLINE_STATUS_LATE;
}

// The newest regime with a rule for `duty` whose clock starts at `start`.
const breach::v1::Regime* NewestRegimeFor(const std::vector<breach::v1::Regime>& regimes,
                                          breach::v1::DutyKind duty,
                                          breach::v1::ClockStart start) {
  const breach::v1::Regime* found = nullptr;
  for (const breach::v1::Regime& regime : regimes) {
    for (const auto& rule : regime.duties()) {
      if (rule.duty() == duty && rule.clock_start() == start &&
          (found == nullptr || regime.version() > found->version())) {
        found = &regime;
      }
    }
  }
  return found;
}

// The provisional clock's regime: the controller's authority notification.
const breach::v1::Regime* AuthorityRegime(const std::vector<breach::v1::Regime>& regimes) {
  return NewestRegimeFor(regimes, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION,
                         breach::v1::CLOCK_START_CONTROLLER_AWARENESS);
}

// The processor's notice to the controller, from the processor's own awareness.
const breach::v1::Regime* ControllerNoticeRegime(const std::vector<breach::v1::Regime>& regimes) {
  return NewestRegimeFor(regimes, breach::v1::DUTY_KIND_CONTROLLER_NOTICE,
                         breach::v1::CLOCK_START_PROCESSOR_AWARENESS);
}

// Whether the processor's notice runs: a case the provider opened with its own awareness
// (an incident's), not closed and not judged "not a breach".
bool ProcessorNoticeRuns(const breach::v1::NotificationCase& c) {
  return c.has_processor_aware_at() && !c.closed() &&
         c.report().verdict() != breach::v1::TRIAGE_VERDICT_NOT_A_BREACH;
}

// The decisions the clocks follow now.
std::vector<breach::v1::DutyDecision> ClockDuties(const breach::v1::NotificationCase& c,
                                                  const std::vector<breach::v1::Regime>& regimes) {
  if (c.ever_decided()) return {c.clock_duties().begin(), c.clock_duties().end()};
  const breach::v1::Regime* regime = AuthorityRegime(regimes);
  if (regime == nullptr) return {};
  breach::v1::DutyDecision provisional;
  provisional.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  provisional.set_required(true);
  provisional.set_regime(regulation::RegimeRef(*regime));
  return {provisional};
}

// The deadline of one required duty, or nullopt when it has no window (or lacks its start,
// e.g. a processor duty before the processor's awareness is known).
std::optional<breach::v1::Deadline> DeadlineOf(const breach::v1::NotificationCase& c,
                                               const breach::v1::DutyDecision& decision,
                                               const std::vector<breach::v1::Regime>& regimes,
                                               const absl::TimeZone& zone) {
  breach::v1::RiskAssessment assessment = c.assessment().assessment();
  *assessment.mutable_awareness_time() = c.aware_at();
  if (c.has_processor_aware_at()) {
    *assessment.mutable_processor_awareness_time() = c.processor_aware_at();
  }
  assessment.clear_submissions();
  breach::v1::AssessmentResult result;
  *result.add_duties() = decision;
  // `now` only sets the status, which the clock row recomputes when read.
  if (!regulation::ComputeDeadlines(assessment, regimes, zone, TimeFromProto(c.aware_at()), result)
           .ok() ||
      result.deadlines().empty()) {
    return std::nullopt;
  }
  breach::v1::Deadline deadline = result.deadlines(0);
  deadline.set_status(breach::v1::DEADLINE_STATUS_OPEN);
  return deadline;
}

bool SameTimes(const breach::v1::Deadline& a, const breach::v1::Deadline& b) {
  return a.starts_at().seconds() == b.starts_at().seconds() &&
         a.due_at().seconds() == b.due_at().seconds() && a.regime() == b.regime();
}

std::string DisarmReason(const breach::v1::NotificationCase& c) {
  if (c.closed()) return "the breach was closed";
  if (c.report().verdict() == breach::v1::TRIAGE_VERDICT_NOT_A_BREACH) {
    return "judged not a breach";
  }
  if (!c.has_aware_at()) return "no awareness moment in force";
  return "the duty is no longer required";
}

}  // namespace

bool IsClockedDuty(DutyKind duty) {
  return duty != breach::v1::DUTY_KIND_UNSPECIFIED && duty != breach::v1::DUTY_KIND_REGISTER_ENTRY;
}

ClockPlan PlanClocks(const breach::v1::NotificationCase& c, const ClockMap& clocks,
                     const std::vector<breach::v1::Regime>& regimes, const absl::TimeZone& zone,
                     const std::string& cause) {
  ClockPlan plan;
  std::map<int, breach::v1::Deadline> wanted;
  if (IsAwareBreach(c)) {
    for (const breach::v1::DutyDecision& decision : ClockDuties(c, regimes)) {
      if (!decision.required() || !IsClockedDuty(decision.duty())) continue;
      if (auto deadline = DeadlineOf(c, decision, regimes, zone)) {
        wanted[decision.duty()] = *deadline;
      }
    }
  }
  // The processor's notice to the school is the provider's duty under its contract: it runs
  // from the provider's awareness whatever the school's own assessment decides.
  const breach::v1::Regime* contract = ControllerNoticeRegime(regimes);
  if (ProcessorNoticeRuns(c) && contract != nullptr) {
    breach::v1::DutyDecision notice;
    notice.set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
    notice.set_required(true);
    notice.set_regime(regulation::RegimeRef(*contract));
    if (auto deadline = DeadlineOf(c, notice, regimes, zone)) {
      wanted[breach::v1::DUTY_KIND_CONTROLLER_NOTICE] = *deadline;
    }
  }
  for (const auto& [duty, deadline] : wanted) {
    auto it = clocks.find(duty);
    if (it != clocks.end() && IsMet(it->second)) continue;
    if (it != clocks.end() && it->second.armed() && SameTimes(it->second.deadline(), deadline)) {
      continue;
    }
    breach::v1::ClockArmed armed;
    armed.set_breach_id(c.breach_id());
    *armed.mutable_deadline() = deadline;
    armed.set_assessment_version(c.assessment().version());
    armed.set_cause(cause);
    plan.armed.push_back(std::move(armed));
  }
  for (const auto& [duty, clock] : clocks) {
    if (!clock.armed() || wanted.count(duty) > 0) continue;
    breach::v1::ClockDisarmed disarmed;
    disarmed.set_breach_id(c.breach_id());
    disarmed.set_duty(static_cast<DutyKind>(duty));
    disarmed.set_reason(DisarmReason(c));
    plan.disarmed.push_back(std::move(disarmed));
  }
  return plan;
}

std::string ClockTimerPrefix(const std::string& breach_id, DutyKind duty) {
  return absl::StrCat("clock/", breach_id, "/", static_cast<int>(duty), "/");
}

std::vector<ClockTimerSpec> TimersFor(const DutyClock& clock) {
  std::vector<ClockTimerSpec> timers;
  if (!clock.armed()) return timers;
  const std::string prefix = ClockTimerPrefix(clock.breach_id(), clock.deadline().duty());
  auto payload = [&](bool miss, double fraction, const google::protobuf::Timestamp& at) {
    breach::v1::ClockTimer timer;
    timer.set_breach_id(clock.breach_id());
    timer.set_duty(clock.deadline().duty());
    timer.set_miss(miss);
    timer.set_fraction(fraction);
    *timer.mutable_fires_at() = at;
    return timer;
  };
  for (const auto& warning : clock.deadline().warnings()) {
    const auto& told = clock.warned_fractions();
    if (std::find(told.begin(), told.end(), warning.fraction()) != told.end()) continue;
    timers.push_back({absl::StrCat(prefix, absl::StrFormat("w%.4f", warning.fraction())),
                      TimeFromProto(warning.at()), payload(false, warning.fraction(), warning.at())});
  }
  if (!clock.missed()) {
    timers.push_back({absl::StrCat(prefix, "due"), TimeFromProto(clock.deadline().due_at()),
                      payload(true, 1.0, clock.deadline().due_at())});
  }
  return timers;
}

FiredTimer FireClockTimer(const breach::v1::ClockTimer& timer, DutyClock& clock) {
  FiredTimer fired;
  if (!clock.armed() || IsMet(clock)) return fired;
  if (timer.miss()) {
    if (clock.missed()) return fired;
    breach::v1::DeadlineMissed missed;
    missed.set_breach_id(timer.breach_id());
    missed.set_duty(timer.duty());
    *missed.mutable_due_at() = clock.deadline().due_at();
    missed.set_due_at_local(clock.deadline().due_at_local());
    clock.set_missed(true);
    fired.missed = std::move(missed);
    return fired;
  }
  const auto& told = clock.warned_fractions();
  if (std::find(told.begin(), told.end(), timer.fraction()) != told.end()) return fired;
  breach::v1::DeadlineWarning warning;
  warning.set_breach_id(timer.breach_id());
  warning.set_duty(timer.duty());
  warning.set_fraction(timer.fraction());
  *warning.mutable_due_at() = clock.deadline().due_at();
  warning.set_due_at_local(clock.deadline().due_at_local());
  *warning.mutable_warned_at() = timer.fires_at();
  clock.add_warned_fractions(timer.fraction());
  fired.warning = std::move(warning);
  return fired;
}

void ApplyArmed(const breach::v1::ClockArmed& armed, const std::string& tenant, DutyClock& clock) {
  clock.set_breach_id(armed.breach_id());
  clock.set_tenant(tenant);
  *clock.mutable_deadline() = armed.deadline();
  clock.set_assessment_version(armed.assessment_version());
  clock.set_armed(true);
  clock.clear_disarmed_reason();
}

void ApplyDisarmed(const breach::v1::ClockDisarmed& disarmed, DutyClock& clock) {
  clock.set_armed(false);
  clock.set_disarmed_reason(disarmed.reason());
}

void ApplySubmitted(const breach::v1::DutySubmitted& submitted, DutyClock& clock) {
  *clock.mutable_deadline()->mutable_submitted_at() = submitted.submitted_at();
  clock.mutable_deadline()->set_delay_reason(submitted.delay_reason());
  clock.mutable_deadline()->set_status(submitted.late() ? breach::v1::DEADLINE_STATUS_LATE
                                                        : breach::v1::DEADLINE_STATUS_MET);
  clock.set_armed(false);
  clock.set_disarmed_reason(submitted.late() ? "submitted late" : "met");
}

breach::v1::DeadlineStatus ClockStatusAt(const DutyClock& clock, absl::Time now) {
  if (IsMet(clock)) return clock.deadline().status();
  if (now >= TimeFromProto(clock.deadline().due_at())) return breach::v1::DEADLINE_STATUS_OVERDUE;
  for (const auto& warning : clock.deadline().warnings()) {
    if (now >= TimeFromProto(warning.at())) return breach::v1::DEADLINE_STATUS_WARNING;
  }
  return breach::v1::DEADLINE_STATUS_OPEN;
}

}  // namespace breachd::notification
