#include "services/intake/breach_changes.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/json_util.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/common/text_limits.h"
#include "libs/service/event_factory.h"
#include "libs/lifecycle/breach_lifecycle.h"
#include "services/intake/report_limits.h"

namespace breachd::intake {
namespace {

using breach::v1::BreachReport;
using breach::v1::Report;
using google::protobuf::util::FieldMaskUtil;

lifecycle::BreachState StateOf(const Report& report) {
  lifecycle::BreachState state;
  state.status = report.status();
  state.verdict = report.verdict();
  state.ever_assessed = report.ever_assessed();
  return state;
}

absl::Status CheckLifecycle(const Report& report, lifecycle::Command command,
                            breach::v1::TriageVerdict verdict = breach::v1::TRIAGE_VERDICT_UNSPECIFIED) {
  return lifecycle::Decide(StateOf(report), command, verdict).status();
}

using service::ActorOf;

}  // namespace

// JSON of one field of a report ("" when unset), for an amendment's old and new values.
std::string FieldJson(const BreachReport& report, const std::string& path) {
  google::protobuf::FieldMask one;
  one.add_paths(path);
  BreachReport only;
  FieldMaskUtil::MergeMessageTo(report, one, FieldMaskUtil::MergeOptions(), &only);
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(only, &json).ok() || json == "{}") return "";
  return json;
}

absl::Status CheckAmendableFields(const google::protobuf::FieldMask& mask,
                                  const std::string& field) {
  for (const std::string& path : mask.paths()) {
    if (!FieldMaskUtil::GetFieldDescriptors(BreachReport::descriptor(), path, nullptr)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": ", path, " is not a field of the report"));
    }
    if (path == "tenant") {
      return absl::InvalidArgumentError(absl::StrCat(field, ": tenant cannot be amended"));
    }
  }
  return absl::OkStatus();
}

BreachReport MergeFields(const BreachReport& base, const BreachReport& values,
                         const google::protobuf::FieldMask& mask) {
  FieldMaskUtil::MergeOptions replace;
  replace.set_replace_message_fields(true);
  replace.set_replace_repeated_fields(true);
  BreachReport merged = base;
  FieldMaskUtil::MergeMessageTo(values, mask, replace, &merged);
  return merged;
}

std::vector<breach::v1::FieldChange> FieldChanges(const BreachReport& before,
                                                  const BreachReport& after,
                                                  const std::vector<std::string>& paths) {
  std::vector<breach::v1::FieldChange> changes;
  for (const std::string& path : paths) {
    const std::string old_value = FieldJson(before, path);
    const std::string new_value = FieldJson(after, path);
    if (old_value == new_value) continue;
    breach::v1::FieldChange& change = changes.emplace_back();
    change.set_field(path);
    change.set_old_value(old_value);
    change.set_new_value(new_value);
  }
  return changes;
}

absl::Status CheckRevision(const Report& report, uint64_t expected_revision) {
  if (expected_revision != 0 && expected_revision != report.revision()) {
    return absl::AbortedError(absl::StrCat("breach ", report.breach_id(), " changed meanwhile: ",
                                           "its revision is ", report.revision(),
                                           ", the request expected ", expected_revision));
  }
  return absl::OkStatus();
}

absl::StatusOr<breach::v1::BreachTriaged> DecideTriage(const Report& report,
                                                       const breach::v1::TriageRequest& request,
                                                       const auth::Principal& principal,
                                                       absl::Time now) {
  const breach::v1::TriageVerdict verdict = request.verdict();
  if (verdict == breach::v1::TRIAGE_VERDICT_UNSPECIFIED ||
      !breach::v1::TriageVerdict_IsValid(verdict)) {
    return absl::InvalidArgumentError("verdict is required: breach, not-a-breach or investigating");
  }
  RETURN_IF_ERROR(RequireText("reason", request.reason()));
  const bool breach = verdict == breach::v1::TRIAGE_VERDICT_BREACH;
  if (!breach && (request.has_aware_at() || !request.evidence().empty())) {
    return absl::InvalidArgumentError("aware_at and evidence are only for a breach verdict");
  }
  breach::v1::BreachTriaged triaged;
  if (breach) {
    if (!request.has_aware_at()) {
      return absl::InvalidArgumentError("aware_at is required for a breach verdict");
    }
    RETURN_IF_ERROR(CheckTimeField("aware_at", request.aware_at(), now));
    const BreachReport& form = report.current();
    if (form.has_incident_at() &&
        TimeFromProto(request.aware_at()) < TimeFromProto(form.incident_at())) {
      return absl::InvalidArgumentError("aware_at is before the incident (report.incident_at)");
    }
    RETURN_IF_ERROR(CheckTextLength("evidence", request.evidence(), kMaxReasonBytes));
    breach::v1::Awareness* awareness = triaged.mutable_awareness();
    *awareness->mutable_aware_at() = request.aware_at();
    awareness->set_evidence(request.evidence());
    *awareness->mutable_decided_by() = ActorOf(principal);
    // A moment already fixed is corrected, not replaced: the event keeps what it corrects.
    if (report.has_awareness()) *triaged.mutable_previous_awareness() = report.awareness();
  }
  RETURN_IF_ERROR(CheckLifecycle(report, lifecycle::Command::kTriage, verdict));
  triaged.set_breach_id(report.breach_id());
  triaged.set_verdict(verdict);
  triaged.set_reason(request.reason());
  return triaged;
}

absl::StatusOr<breach::v1::ReportAmended> DecideAmendment(
    const Report& report, const breach::v1::AmendReportRequest& request,
    const auth::Principal& principal, absl::Time now, const TenantLookup& is_known_tenant) {
  if (request.update_mask().paths_size() == 0) {
    return absl::InvalidArgumentError("update_mask names no field of the report");
  }
  RETURN_IF_ERROR(CheckAmendableFields(request.update_mask(), "update_mask"));
  RETURN_IF_ERROR(RequireText("reason", request.reason()));
  RETURN_IF_ERROR(CheckReportLimits(request.report()));

  const BreachReport amended = MergeFields(report.current(), request.report(), request.update_mask());
  RETURN_IF_ERROR(CheckReportLimits(amended));
  RETURN_IF_ERROR(ValidateReport(amended, now, is_known_tenant));
  RETURN_IF_ERROR(CheckLifecycle(report, lifecycle::Command::kAmendReport));

  breach::v1::ReportAmended event;
  event.set_breach_id(report.breach_id());
  breach::v1::Amendment* amendment = event.mutable_amendment();
  for (breach::v1::FieldChange& change :
       FieldChanges(report.current(), amended,
                    {request.update_mask().paths().begin(), request.update_mask().paths().end()})) {
    *amendment->add_changes() = std::move(change);
  }
  if (amendment->changes_size() == 0) {
    return absl::InvalidArgumentError("report: the amendment changes nothing");
  }
  amendment->set_reason(request.reason());
  *amendment->mutable_amended_by() = ActorOf(principal);
  *amendment->mutable_amended_at() = ProtoFromTime(now);
  return event;
}

absl::StatusOr<breach::v1::ContainmentActionRecorded> DecideAction(
    const Report& report, const breach::v1::AddActionRequest& request,
    const auth::Principal& principal, absl::Time now, const std::string& action_id) {
  RETURN_IF_ERROR(RequireText("what", request.what()));
  RETURN_IF_ERROR(RequireText("responsible", request.responsible(), kMaxNameBytes));
  if (!breach::v1::ActionStatus_IsValid(request.status())) {
    return absl::InvalidArgumentError("status is not an action status");
  }
  const bool done = request.status() == breach::v1::ACTION_STATUS_DONE;
  if (done && !request.has_done_at()) {
    return absl::InvalidArgumentError("done_at is required for a done action");
  }
  if (!done && request.has_done_at()) {
    return absl::InvalidArgumentError("done_at is only for a done action");
  }
  if (done) RETURN_IF_ERROR(CheckTimeField("done_at", request.done_at(), now));
  RETURN_IF_ERROR(CheckLifecycle(report, lifecycle::Command::kRecordAction));

  breach::v1::ContainmentActionRecorded recorded;
  recorded.set_breach_id(report.breach_id());
  breach::v1::ContainmentAction* action = recorded.mutable_action();
  action->set_action_id(action_id);
  action->set_what(request.what());
  action->set_responsible(request.responsible());
  action->set_status(request.status() == breach::v1::ACTION_STATUS_UNSPECIFIED
                         ? breach::v1::ACTION_STATUS_PLANNED
                         : request.status());
  if (done) *action->mutable_done_at() = request.done_at();
  *action->mutable_recorded_by() = ActorOf(principal);
  *action->mutable_recorded_at() = ProtoFromTime(now);
  action->set_request_id(request.request_id());
  return recorded;
}

absl::StatusOr<Report> DecideClosing(const Report& report, lifecycle::Command command,
                                     const std::string& reason) {
  RETURN_IF_ERROR(RequireText("reason", reason));
  ASSIGN_OR_RETURN(const lifecycle::BreachState next,
                   lifecycle::Decide(StateOf(report), command));
  Report changed = report;
  changed.set_status(next.status);
  changed.set_revision(report.revision() + 1);
  return changed;
}

void ApplyTriage(const breach::v1::BreachTriaged& triaged, Report& report) {
  const lifecycle::BreachState next =
      lifecycle::Decide(StateOf(report), lifecycle::Command::kTriage, triaged.verdict())
          .value_or(StateOf(report));
  report.set_status(next.status);
  report.set_verdict(triaged.verdict());
  report.set_verdict_reason(triaged.reason());
  if (triaged.has_awareness()) {
    *report.mutable_awareness() = triaged.awareness();
  } else {
    report.clear_awareness();
  }
  report.set_revision(report.revision() + 1);
}

void ApplyAmendment(const breach::v1::ReportAmended& amended, Report& report) {
  lifecycle::ApplyFieldChanges(amended.amendment(), *report.mutable_current());
  *report.add_amendments() = amended.amendment();
  const lifecycle::BreachState next =
      lifecycle::Decide(StateOf(report), lifecycle::Command::kAmendReport)
          .value_or(StateOf(report));
  report.set_status(next.status);
  report.set_revision(report.revision() + 1);
}

void ApplyAction(const breach::v1::ContainmentActionRecorded& recorded, Report& report) {
  report.set_revision(report.revision() + 1);
}

}  // namespace breachd::intake
