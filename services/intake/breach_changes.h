// The intake's decisions on a filed breach, pure: triage (and the awareness moment), amendments
// of the Allegato A, containment actions. Each checks the request (INVALID_ARGUMENT naming the
// field), the lifecycle (FAILED_PRECONDITION naming the status) and the revision the caller saw
// (ABORTED), and returns the event to append; Apply* folds an event into the stored report.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/intake.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "libs/auth/principal.h"
#include "libs/common/text_limits.h"
#include "libs/lifecycle/breach_lifecycle.h"
#include "services/intake/report_validation.h"

namespace breachd::intake {

// JSON of one field of a report ("" when unset), for an amendment's old and new values.
std::string FieldJson(const breach::v1::BreachReport& report, const std::string& path);

// Each path names a field of BreachReport other than tenant (INVALID_ARGUMENT "<field>: ...").
absl::Status CheckAmendableFields(const google::protobuf::FieldMask& mask,
                                  const std::string& field);

// `base` with the fields of `mask` replaced by their values in `values`.
breach::v1::BreachReport MergeFields(const breach::v1::BreachReport& base,
                                     const breach::v1::BreachReport& values,
                                     const google::protobuf::FieldMask& mask);

// How each of `paths` differs from `before` to `after` (equal fields left out).
std::vector<breach::v1::FieldChange> FieldChanges(const breach::v1::BreachReport& before,
                                                  const breach::v1::BreachReport& after,
                                                  const std::vector<std::string>& paths);

// ABORTED when `expected_revision` (0 = any) is not the report's revision.
absl::Status CheckRevision(const breach::v1::Report& report, uint64_t expected_revision);

absl::StatusOr<breach::v1::BreachTriaged> DecideTriage(const breach::v1::Report& report,
                                                       const breach::v1::TriageRequest& request,
                                                       const auth::Principal& principal,
                                                       absl::Time now);

absl::StatusOr<breach::v1::ReportAmended> DecideAmendment(
    const breach::v1::Report& report, const breach::v1::AmendReportRequest& request,
    const auth::Principal& principal, absl::Time now, const TenantLookup& is_known_tenant);

// `action_id` is the new action's id.
absl::StatusOr<breach::v1::ContainmentActionRecorded> DecideAction(
    const breach::v1::Report& report, const breach::v1::AddActionRequest& request,
    const auth::Principal& principal, absl::Time now, const std::string& action_id);

// Closing or reopening (`command` kClose or kReopen) with a written reason: the report as it
// becomes (status, revision + 1). INVALID_ARGUMENT without a reason; FAILED_PRECONDITION when
// the lifecycle refuses.
absl::StatusOr<breach::v1::Report> DecideClosing(const breach::v1::Report& report,
                                                 lifecycle::Command command,
                                                 const std::string& reason);

// The report after each event (revision + 1).
void ApplyTriage(const breach::v1::BreachTriaged& triaged, breach::v1::Report& report);
void ApplyAmendment(const breach::v1::ReportAmended& amended, breach::v1::Report& report);
void ApplyAction(const breach::v1::ContainmentActionRecorded& recorded, breach::v1::Report& report);

}  // namespace breachd::intake
