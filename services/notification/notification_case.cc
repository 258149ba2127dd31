#include "services/notification/notification_case.h"

#include "breach/v1/events.pb.h"
#include "libs/lifecycle/breach_lifecycle.h"

namespace breachd::notification {
namespace {

using breach::v1::NotificationCase;

lifecycle::BreachState StateOf(const NotificationCase& c) {
  lifecycle::BreachState state;
  state.status = c.report().status();
  state.verdict = c.report().verdict();
  state.ever_assessed = c.assessment().version() > 0;
  return state;
}

breach::v1::DutyDecision* FindDecision(breach::v1::AssessmentResult& result,
                                       breach::v1::DutyKind duty) {
  for (auto& decision : *result.mutable_duties()) {
    if (decision.duty() == duty) return &decision;
  }
  return nullptr;
}

// A decision of the latest version (an older version's events, replayed late, change nothing).
bool ApplyDecision(NotificationCase& c, uint32_t version, const breach::v1::DutyDecision& decision) {
  if (version != c.assessment().version()) return false;
  breach::v1::AssessmentResult& result = *c.mutable_assessment()->mutable_result();
  if (breach::v1::DutyDecision* existing = FindDecision(result, decision.duty())) {
    *existing = decision;
  } else {
    *result.add_duties() = decision;
  }
  return true;
}

// Payload-specific folding; false when the payload is none the service follows.
bool ApplyPayload(const google::protobuf::Any& payload, NotificationCase& c) {
  breach::v1::BreachReported reported;
  breach::v1::BreachTriaged triaged;
  breach::v1::ReportAmended amended;
  breach::v1::AssessmentSubmitted submitted;
  breach::v1::SeverityAssessed severity;
  breach::v1::BreachClassified classified;
  breach::v1::DutyDecided decided;
  breach::v1::DutyOverridden overridden;
  breach::v1::DutiesDecided confirmed;
  if (payload.Is<breach::v1::BreachReported>() && payload.UnpackTo(&reported)) {
    *c.mutable_report()->mutable_report() = reported.report();
    *c.mutable_report()->mutable_current() = reported.report();
    c.mutable_report()->set_breach_id(reported.breach_id());
    c.set_incident_id(reported.incident_id());
    if (reported.has_processor_aware_at()) {
      *c.mutable_processor_aware_at() = reported.processor_aware_at();
    }
    return true;
  }
  if (payload.Is<breach::v1::BreachTriaged>() && payload.UnpackTo(&triaged)) {
    c.mutable_report()->set_verdict(triaged.verdict());
    c.mutable_report()->set_verdict_reason(triaged.reason());
    if (triaged.has_awareness()) {
      *c.mutable_report()->mutable_awareness() = triaged.awareness();
      *c.mutable_aware_at() = triaged.awareness().aware_at();
    } else {
      c.mutable_report()->clear_awareness();
      c.clear_aware_at();
    }
    return true;
  }
  if (payload.Is<breach::v1::ReportAmended>() && payload.UnpackTo(&amended)) {
    lifecycle::ApplyFieldChanges(amended.amendment(), *c.mutable_report()->mutable_current());
    *c.mutable_report()->add_amendments() = amended.amendment();
    return true;
  }
  if (payload.Is<breach::v1::AssessmentSubmitted>() && payload.UnpackTo(&submitted)) {
    if (submitted.version() <= c.assessment().version()) return false;
    breach::v1::AssessmentVersion& version = *c.mutable_assessment();
    version.Clear();
    version.set_breach_id(submitted.breach_id());
    version.set_version(submitted.version());
    *version.mutable_assessment() = submitted.assessment();
    version.set_request_id(submitted.request_id());
    c.set_duties_decided(false);
    // The assessment carries the awareness it was evaluated from: a case whose triage has not
    // arrived yet (another source, another order) still knows when the clock started.
    if (!c.has_aware_at() && submitted.assessment().has_awareness_time()) {
      *c.mutable_aware_at() = submitted.assessment().awareness_time();
    }
    return true;
  }
  if (payload.Is<breach::v1::SeverityAssessed>() && payload.UnpackTo(&severity)) {
    if (severity.version() != c.assessment().version()) return false;
    *c.mutable_assessment()->mutable_result()->mutable_severity() = severity.severity();
    return true;
  }
  if (payload.Is<breach::v1::BreachClassified>() && payload.UnpackTo(&classified)) {
    if (classified.version() != c.assessment().version()) return false;
    breach::v1::AssessmentResult& result = *c.mutable_assessment()->mutable_result();
    result.set_classification(classified.classification());
    *result.mutable_classification_reasons() = classified.reasons();
    result.set_classification_regime(classified.regime());
    return true;
  }
  if (payload.Is<breach::v1::DutyDecided>() && payload.UnpackTo(&decided)) {
    return ApplyDecision(c, decided.version(), decided.decision());
  }
  if (payload.Is<breach::v1::DutyOverridden>() && payload.UnpackTo(&overridden)) {
    // A human's decision moves the clocks at once; the drafts wait for a new confirmation.
    if (!ApplyDecision(c, overridden.version(), overridden.decision())) return false;
    c.set_duties_decided(false);
    if (c.ever_decided()) {
      bool found = false;
      for (auto& duty : *c.mutable_clock_duties()) {
        if (duty.duty() == overridden.decision().duty()) {
          duty = overridden.decision();
          found = true;
        }
      }
      if (!found) *c.add_clock_duties() = overridden.decision();
    }
    return true;
  }
  if (payload.Is<breach::v1::DutiesDecided>() && payload.UnpackTo(&confirmed)) {
    if (confirmed.version() != c.assessment().version()) return false;
    *c.mutable_assessment()->mutable_result()->mutable_duties() = confirmed.decisions();
    *c.mutable_clock_duties() = confirmed.decisions();
    c.set_duties_decided(true);
    c.set_ever_decided(true);
    return true;
  }
  return false;
}

}  // namespace

bool ApplyToCase(const breach::v1::EventEnvelope& event,
                 std::optional<NotificationCase>& notification_case) {
  if (event.stream_id().rfind("audit-", 0) == 0) return false;
  if (event.stream_id().rfind("school-", 0) == 0) return false;  // the directory
  if (event.stream_id().rfind("incident-", 0) == 0) return false;  // an incident (its cases are breaches)
  std::optional<NotificationCase> before = notification_case;
  if (!notification_case.has_value()) {
    notification_case.emplace();
    notification_case->set_breach_id(event.stream_id());
    notification_case->set_tenant(event.tenant());
  }
  NotificationCase& c = *notification_case;
  bool changed = ApplyPayload(event.payload(), c);
  // The case's status follows the lifecycle the way every other projection does.
  lifecycle::Command command;
  breach::v1::TriageVerdict verdict;
  if (lifecycle::CommandOf(event, &command, &verdict)) {
    const lifecycle::BreachState state = lifecycle::Apply(StateOf(c), event);
    c.mutable_report()->set_status(state.status);
    c.set_closed(state.status == breach::v1::BREACH_STATUS_CLOSED);
    changed = true;
  } else if (event.payload().Is<breach::v1::BreachReported>()) {
    c.mutable_report()->set_status(breach::v1::BREACH_STATUS_REPORTED);
  }
  if (!changed) notification_case = std::move(before);
  return changed;
}

bool IsAwareBreach(const NotificationCase& c) {
  return !c.closed() && c.has_aware_at() &&
         (c.report().verdict() == breach::v1::TRIAGE_VERDICT_BREACH ||
          c.assessment().version() > 0);
}

}  // namespace breachd::notification
