#include "services/assessment/assessment_decisions.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "libs/common/text_limits.h"
#include "libs/lifecycle/breach_lifecycle.h"

namespace breachd::assessment {
namespace {

lifecycle::BreachState StateOf(const breach::v1::AssessmentCase& assessment_case) {
  lifecycle::BreachState state;
  state.status = assessment_case.status();
  state.verdict = assessment_case.verdict();
  state.ever_assessed = assessment_case.latest_version() > 0;
  return state;
}

absl::Status RequireReason(const std::string& reason, const char* why) {
  if (absl::StripAsciiWhitespace(reason).empty()) {
    return absl::InvalidArgumentError(absl::StrCat("reason is required: ", why));
  }
  return CheckTextLength("reason", reason, kMaxReasonBytes);
}

}  // namespace

bool ApplyToCase(const breach::v1::EventEnvelope& event,
                 std::optional<breach::v1::AssessmentCase>& assessment_case) {
  const google::protobuf::Any& payload = event.payload();
  breach::v1::BreachReported reported;
  if (payload.Is<breach::v1::BreachReported>() && payload.UnpackTo(&reported)) {
    if (assessment_case.has_value()) return false;
    assessment_case.emplace();
    assessment_case->set_breach_id(reported.breach_id());
    assessment_case->set_tenant(event.tenant());
    assessment_case->set_status(breach::v1::BREACH_STATUS_REPORTED);
    return true;
  }
  if (!assessment_case.has_value()) return false;  // not (yet) a breach it knows
  lifecycle::Command command;
  breach::v1::TriageVerdict verdict;
  if (!lifecycle::CommandOf(event, &command, &verdict)) return false;
  breach::v1::BreachTriaged triaged;
  if (payload.Is<breach::v1::BreachTriaged>() && payload.UnpackTo(&triaged)) {
    assessment_case->set_verdict(triaged.verdict());
    if (triaged.has_awareness()) {
      *assessment_case->mutable_aware_at() = triaged.awareness().aware_at();
    } else {
      assessment_case->clear_aware_at();
    }
  }
  // The case's own status follows the lifecycle the way every other projection does.
  lifecycle::BreachState state = StateOf(*assessment_case);
  state = lifecycle::Apply(state, event);
  assessment_case->set_status(state.status);
  return true;
}

absl::Status CheckVersion(const breach::v1::AssessmentCase& assessment_case, uint32_t expected) {
  if (expected != 0 && expected != assessment_case.latest_version()) {
    return absl::AbortedError(absl::StrCat("the assessment of ", assessment_case.breach_id(),
                                           " changed meanwhile: its latest version is ",
                                           assessment_case.latest_version(),
                                           ", the request expected ", expected));
  }
  return absl::OkStatus();
}

absl::StatusOr<breach::v1::RiskAssessment> PrepareAssessment(
    const breach::v1::AssessmentCase& assessment_case,
    const breach::v1::SubmitAssessmentRequest& request) {
  breach::v1::RiskAssessment assessment = request.assessment();
  if (!assessment.breach_id().empty() && assessment.breach_id() != assessment_case.breach_id()) {
    return absl::InvalidArgumentError("assessment.breach_id is not the breach assessed");
  }
  if (!assessment.tenant().empty() && assessment.tenant() != assessment_case.tenant()) {
    return absl::InvalidArgumentError("assessment.tenant is not the breach's school");
  }
  if (assessment.has_awareness_time() && assessment_case.has_aware_at() &&
      assessment.awareness_time().seconds() != assessment_case.aware_at().seconds()) {
    return absl::InvalidArgumentError(
        "assessment.awareness_time differs from the breach's awareness moment (fixed by triage)");
  }
  const absl::Status allowed =
      lifecycle::Decide(StateOf(assessment_case), lifecycle::Command::kSubmitAssessment).status();
  if (!allowed.ok()) return allowed;
  if (absl::Status fresh = CheckVersion(assessment_case, request.expected_version()); !fresh.ok()) {
    return fresh;
  }
  assessment.set_breach_id(assessment_case.breach_id());
  assessment.set_tenant(assessment_case.tenant());
  *assessment.mutable_awareness_time() = assessment_case.aware_at();
  return assessment;
}

std::vector<std::unique_ptr<google::protobuf::Message>> VersionEvents(
    const breach::v1::AssessmentVersion& version) {
  std::vector<std::unique_ptr<google::protobuf::Message>> events;
  auto submitted = std::make_unique<breach::v1::AssessmentSubmitted>();
  submitted->set_breach_id(version.breach_id());
  submitted->set_version(version.version());
  *submitted->mutable_assessment() = version.assessment();
  *submitted->mutable_regimes() = version.result().regimes();
  submitted->set_request_id(version.request_id());
  events.push_back(std::move(submitted));

  auto severity = std::make_unique<breach::v1::SeverityAssessed>();
  severity->set_breach_id(version.breach_id());
  severity->set_version(version.version());
  *severity->mutable_severity() = version.result().severity();
  events.push_back(std::move(severity));

  auto classified = std::make_unique<breach::v1::BreachClassified>();
  classified->set_breach_id(version.breach_id());
  classified->set_version(version.version());
  classified->set_classification(version.result().classification());
  *classified->mutable_reasons() = version.result().classification_reasons();
  classified->set_regime(version.result().classification_regime());
  events.push_back(std::move(classified));

  for (const breach::v1::DutyDecision& decision : version.result().duties()) {
    auto decided = std::make_unique<breach::v1::DutyDecided>();
    decided->set_breach_id(version.breach_id());
    decided->set_version(version.version());
    *decided->mutable_decision() = decision;
    events.push_back(std::move(decided));
  }
  return events;
}

absl::Status PrepareDecision(const breach::v1::AssessmentCase& assessment_case,
                             const breach::v1::DecideDutiesRequest& request) {
  if (absl::Status reason = RequireReason(request.reason(), "say on what the decisions rest");
      !reason.ok()) {
    return reason;
  }
  const absl::Status allowed =
      lifecycle::Decide(StateOf(assessment_case), lifecycle::Command::kDecide).status();
  if (!allowed.ok()) return allowed;
  return CheckVersion(assessment_case, request.expected_version());
}

const breach::v1::DutyDecision* FindDuty(const breach::v1::AssessmentResult& result,
                                         breach::v1::DutyKind duty) {
  for (const breach::v1::DutyDecision& decision : result.duties()) {
    if (decision.duty() == duty) return &decision;
  }
  return nullptr;
}

absl::StatusOr<breach::v1::DutyOverride> PrepareOverride(
    const breach::v1::AssessmentCase& assessment_case, const breach::v1::AssessmentVersion& version,
    const breach::v1::OverrideDutyRequest& request, const auth::Principal& principal) {
  if (request.duty() == breach::v1::DUTY_KIND_UNSPECIFIED ||
      !breach::v1::DutyKind_IsValid(request.duty())) {
    return absl::InvalidArgumentError("duty is required");
  }
  if (absl::Status reason = RequireReason(request.reason(), "an override needs a written reason");
      !reason.ok()) {
    return reason;
  }
  if (FindDuty(version.result(), request.duty()) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "duty: ", breach::v1::DutyKind_Name(request.duty()), " is not a duty of this breach"));
  }
  const absl::Status allowed =
      lifecycle::Decide(StateOf(assessment_case), lifecycle::Command::kOverrideDuty).status();
  if (!allowed.ok()) return allowed;
  if (absl::Status fresh = CheckVersion(assessment_case, request.expected_version()); !fresh.ok()) {
    return fresh;
  }
  breach::v1::DutyOverride duty_override;
  duty_override.set_duty(request.duty());
  duty_override.set_required(request.required());
  duty_override.set_reason(request.reason());
  duty_override.set_decided_by(principal.subject);
  return duty_override;
}

}  // namespace breachd::assessment
