// The assessment service's decisions, pure: what it learns of a breach from the bus, whether an
// Allegato B may be evaluated and with which awareness moment, the events a new version
// appends, and a human override of one duty.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "breach/v1/assessment_service.pb.h"
#include "breach/v1/envelope.pb.h"
#include "google/protobuf/message.h"
#include "libs/auth/principal.h"

namespace breachd::assessment {

// Folds an event of another service into the case (nullopt: no case yet). False if the event
// says nothing the assessment needs.
bool ApplyToCase(const breach::v1::EventEnvelope& event,
                 std::optional<breach::v1::AssessmentCase>& assessment_case);

// The Allegato B to evaluate: the request's, bound to the breach and its awareness moment.
// INVALID_ARGUMENT for a breach_id or tenant that disagrees, FAILED_PRECONDITION (naming the
// status) unless the breach is judged a breach, ABORTED for a stale expected_version.
absl::StatusOr<breach::v1::RiskAssessment> PrepareAssessment(
    const breach::v1::AssessmentCase& assessment_case,
    const breach::v1::SubmitAssessmentRequest& request);

// The events of a new version, in order: AssessmentSubmitted, SeverityAssessed,
// BreachClassified, one DutyDecided per duty.
std::vector<std::unique_ptr<google::protobuf::Message>> VersionEvents(
    const breach::v1::AssessmentVersion& version);

// ABORTED unless `expected` (0 = any) is the latest version.
absl::Status CheckVersion(const breach::v1::AssessmentCase& assessment_case, uint32_t expected);

// The override to add to the version's assessment for the engine to apply. INVALID_ARGUMENT
// naming the field; FAILED_PRECONDITION when the lifecycle refuses.
absl::StatusOr<breach::v1::DutyOverride> PrepareOverride(
    const breach::v1::AssessmentCase& assessment_case, const breach::v1::AssessmentVersion& version,
    const breach::v1::OverrideDutyRequest& request, const auth::Principal& principal);

// Whether the decisions of the latest version may be confirmed: a written reason
// (INVALID_ARGUMENT), an assessment and a status that allows deciding (FAILED_PRECONDITION
// naming it), the version the caller saw (ABORTED).
absl::Status PrepareDecision(const breach::v1::AssessmentCase& assessment_case,
                             const breach::v1::DecideDutiesRequest& request);

// The decision on `duty` in `result`, or nullptr.
const breach::v1::DutyDecision* FindDuty(const breach::v1::AssessmentResult& result,
                                         breach::v1::DutyKind duty);

}  // namespace breachd::assessment
