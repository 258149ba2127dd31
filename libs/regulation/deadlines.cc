#include "libs/regulation/deadlines.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/common/status_macros.h"
#include "libs/regulation/regime.h"
#include "libs/regulation/time_format.h"

namespace breachd::regulation {
namespace {

using breach::v1::AssessmentResult;
using breach::v1::Deadline;
using breach::v1::RegimeDuty;
using breach::v1::RiskAssessment;

bool IsBlank(absl::string_view s) { return s.find_first_not_of(" \t\n") == absl::string_view::npos; }

absl::StatusOr<absl::Time> ClockStart(const RiskAssessment& assessment, const RegimeDuty& rule) {
  if (rule.clock_start() == breach::v1::CLOCK_START_PROCESSOR_AWARENESS) {
    if (!assessment.has_processor_awareness_time()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "processor_awareness_time: required for ", breach::v1::DutyKind_Name(rule.duty()),
          " (the processor's clock starts at its own awareness)"));
    }
    return FromProto(assessment.processor_awareness_time());
  }
  if (!assessment.has_awareness_time()) {
    return absl::InvalidArgumentError("awareness_time: required to compute deadlines");
  }
  return FromProto(assessment.awareness_time());
}

// Whether `ref` is RegimeRef(regime), without building the string.
bool IsRegimeRef(const breach::v1::Regime& regime, absl::string_view ref) {
  return absl::ConsumePrefix(&ref, regime.id()) && absl::ConsumePrefix(&ref, "@") &&
         ref == regime.version();
}

const RegimeDuty* FindRule(const std::vector<breach::v1::Regime>& regimes,
                           const breach::v1::DutyDecision& decision) {
  for (const auto& regime : regimes) {
    if (!IsRegimeRef(regime, decision.regime())) continue;
    for (const auto& rule : regime.duties()) {
      if (rule.duty() == decision.duty()) return &rule;
    }
  }
  return nullptr;
}

// Fills `d` in place, so that a reused result message keeps its allocations.
void FillDeadline(const RegimeDuty& rule, const std::string& regime, absl::Time start,
                  const absl::TimeZone& zone, Deadline* d) {
  d->set_duty(rule.duty());
  d->set_regime(regime);
  *d->mutable_label() = rule.label();
  d->set_internal_target(rule.internal_target());
  const absl::Time due = rule.due_months() > 0 ? AddCalendarMonths(start, rule.due_months(), zone)
                                               : start + absl::Hours(rule.due_hours());
  SetProto(start, d->mutable_starts_at());
  SetProto(due, d->mutable_due_at());
  FormatRfc3339To(start, zone, d->mutable_starts_at_local());
  FormatRfc3339To(due, zone, d->mutable_due_at_local());
  d->mutable_window()->clear();
  if (rule.due_months() > 0) {
    absl::StrAppend(d->mutable_window(), rule.due_months(), " month(s)");
  } else {
    absl::StrAppend(d->mutable_window(), rule.due_hours(), "h");
  }
  const absl::Duration window = due - start;
  for (double fraction : rule.warn_at_fractions()) {
    auto* w = d->add_warnings();
    w->set_fraction(fraction);
    const absl::Time at = start + absl::Trunc(window * fraction, absl::Seconds(1));
    SetProto(at, w->mutable_at());
    FormatRfc3339To(at, zone, w->mutable_at_local());
  }
}

breach::v1::DeadlineStatus StatusAt(const Deadline& d, absl::Time now) {
  if (now >= FromProto(d.due_at())) return breach::v1::DEADLINE_STATUS_OVERDUE;
  for (const auto& w : d.warnings()) {
    if (now >= FromProto(w.at())) return breach::v1::DEADLINE_STATUS_WARNING;
  }
  return breach::v1::DEADLINE_STATUS_OPEN;
}

absl::Status ApplySubmissions(const RiskAssessment& assessment, AssessmentResult& result) {
  for (int i = 0; i < assessment.submissions_size(); ++i) {
    const auto& s = assessment.submissions(i);
    Deadline* target = nullptr;
    for (auto& d : *result.mutable_deadlines()) {
      if (d.duty() == s.duty()) target = &d;
    }
    if (target == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("submissions[", i, "].duty: ", breach::v1::DutyKind_Name(s.duty()),
                       " has no deadline in this assessment"));
    }
    const absl::Time sent_at = FromProto(s.sent_at());
    if (auto status = CheckSubmissionTiming(*target, sent_at, s.delay_reason()); !status.ok()) {
      return absl::Status(status.code(), absl::StrCat("submissions[", i, "]: ", status.message()));
    }
    *target->mutable_submitted_at() = s.sent_at();
    target->set_delay_reason(s.delay_reason());
    target->set_status(sent_at > FromProto(target->due_at()) ? breach::v1::DEADLINE_STATUS_LATE
                                                            : breach::v1::DEADLINE_STATUS_MET);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckSubmissionTiming(const Deadline& deadline, absl::Time sent_at,
                                   absl::string_view delay_reason) {
  const bool late = sent_at > FromProto(deadline.due_at());
  if (late && !deadline.internal_target() && IsBlank(delay_reason)) {
    return absl::FailedPreconditionError(absl::StrCat(
        breach::v1::DutyKind_Name(deadline.duty()), " sent after its deadline ",
        deadline.due_at_local(), " requires a reason for the delay (GDPR art. 33(1))"));
  }
  return absl::OkStatus();
}

absl::Status ComputeDeadlines(const RiskAssessment& assessment,
                              const std::vector<breach::v1::Regime>& regimes,
                              const absl::TimeZone& zone, absl::Time now,
                              AssessmentResult& result) {
  for (const auto& decision : result.duties()) {
    if (!decision.required()) continue;
    const RegimeDuty* rule = FindRule(regimes, decision);
    if (rule == nullptr || (rule->due_hours() == 0 && rule->due_months() == 0)) continue;
    ASSIGN_OR_RETURN(const absl::Time start, ClockStart(assessment, *rule));
    Deadline* d = result.add_deadlines();
    FillDeadline(*rule, decision.regime(), start, zone, d);
    d->set_status(StatusAt(*d, now));
  }
  return ApplySubmissions(assessment, result);
}

}  // namespace breachd::regulation
