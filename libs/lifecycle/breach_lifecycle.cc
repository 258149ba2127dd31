#include "libs/lifecycle/breach_lifecycle.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/json_util.h"

namespace breachd::lifecycle {
namespace {

using breach::v1::BREACH_STATUS_ASSESSED;
using breach::v1::BREACH_STATUS_CLOSED;
using breach::v1::BREACH_STATUS_DECIDED;
using breach::v1::BREACH_STATUS_REPORTED;
using breach::v1::BREACH_STATUS_TRIAGED;
using breach::v1::BREACH_STATUS_UNSPECIFIED;
using breach::v1::TRIAGE_VERDICT_BREACH;
using breach::v1::TRIAGE_VERDICT_NOT_A_BREACH;

absl::Status Refuse(const BreachState& state, Command command, const std::string& why) {
  return absl::FailedPreconditionError(absl::StrCat("cannot ", CommandName(command),
                                                    ": the breach is ", StatusName(state.status),
                                                    " (", why, ")"));
}

BreachState With(BreachState state, BreachStatus status) {
  state.status = status;
  if (status == BREACH_STATUS_ASSESSED) state.ever_assessed = true;
  return state;
}

}  // namespace

const char* CommandName(Command command) {
  switch (command) {
    case Command::kTriage: return "triage";
    case Command::kAmendReport: return "amend the report";
    case Command::kRecordAction: return "record an action";
    case Command::kSubmitAssessment: return "submit an assessment";
    case Command::kOverrideDuty: return "override a duty";
    case Command::kDecide: return "decide";
    case Command::kClose: return "close";
    case Command::kReopen: return "reopen";
  }
  return "change";
}

std::string StatusName(BreachStatus status) {
  if (status == BREACH_STATUS_UNSPECIFIED) return "unknown";
  // BREACH_STATUS_TRIAGED -> "triaged"
  return absl::AsciiStrToLower(breach::v1::BreachStatus_Name(status).substr(sizeof("BREACH_STATUS_") - 1));
}

absl::StatusOr<BreachState> Decide(const BreachState& state, Command command,
                                   TriageVerdict verdict) {
  if (state.status == BREACH_STATUS_UNSPECIFIED) return Refuse(state, command, "no report filed");
  if (state.status == BREACH_STATUS_CLOSED) {
    if (command == Command::kReopen) {
      return With(state, state.ever_assessed ? BREACH_STATUS_ASSESSED : BREACH_STATUS_TRIAGED);
    }
    return Refuse(state, command, "reopen it first");
  }
  const bool assessed_or_later =
      state.status == BREACH_STATUS_ASSESSED || state.status == BREACH_STATUS_DECIDED;
  switch (command) {
    case Command::kTriage: {
      if (!assessed_or_later) {
        BreachState next = With(state, BREACH_STATUS_TRIAGED);
        next.verdict = verdict;
        return next;
      }
      // Once assessed, a triage only corrects the awareness moment of a breach.
      if (verdict != TRIAGE_VERDICT_BREACH) {
        return Refuse(state, command, "an assessed breach can only have its awareness corrected");
      }
      return state;
    }
    case Command::kAmendReport:
      // New facts after a decision call for a new look at the risk.
      return state.status == BREACH_STATUS_DECIDED ? With(state, BREACH_STATUS_ASSESSED) : state;
    case Command::kRecordAction:
      return state;
    case Command::kSubmitAssessment:
      if (state.status == BREACH_STATUS_REPORTED) return Refuse(state, command, "triage it first");
      if (state.verdict != TRIAGE_VERDICT_BREACH) {
        return Refuse(state, command, "it is not judged a breach");
      }
      return With(state, BREACH_STATUS_ASSESSED);
    case Command::kOverrideDuty:
      // A human replaces one decision; confirming them all is kDecide.
      if (!assessed_or_later) return Refuse(state, command, "no assessment yet");
      return state;
    case Command::kDecide:
      if (!assessed_or_later) return Refuse(state, command, "no assessment yet");
      return With(state, BREACH_STATUS_DECIDED);
    case Command::kClose:
      if (state.status == BREACH_STATUS_DECIDED) return With(state, BREACH_STATUS_CLOSED);
      if (state.status == BREACH_STATUS_TRIAGED && state.verdict == TRIAGE_VERDICT_NOT_A_BREACH) {
        return With(state, BREACH_STATUS_CLOSED);
      }
      return Refuse(state, command, "only a decided breach or a report judged not a breach closes");
    case Command::kReopen:
      return Refuse(state, command, "it is not closed");
  }
  return Refuse(state, command, "unknown command");
}

bool CommandOf(const breach::v1::EventEnvelope& event, Command* command, TriageVerdict* verdict) {
  const google::protobuf::Any& payload = event.payload();
  if (payload.Is<breach::v1::BreachTriaged>()) {
    breach::v1::BreachTriaged triaged;
    if (!payload.UnpackTo(&triaged)) return false;
    *command = Command::kTriage;
    *verdict = triaged.verdict();
    return true;
  }
  if (payload.Is<breach::v1::ReportAmended>()) {
    *command = Command::kAmendReport;
    return true;
  }
  if (payload.Is<breach::v1::ContainmentActionRecorded>()) {
    *command = Command::kRecordAction;
    return true;
  }
  if (payload.Is<breach::v1::AssessmentSubmitted>()) {
    *command = Command::kSubmitAssessment;
    return true;
  }
  if (payload.Is<breach::v1::DutyOverridden>()) {
    *command = Command::kOverrideDuty;
    return true;
  }
  if (payload.Is<breach::v1::DutiesDecided>()) {
    *command = Command::kDecide;
    return true;
  }
  if (payload.Is<breach::v1::BreachClosed>()) {
    *command = Command::kClose;
    return true;
  }
  if (payload.Is<breach::v1::BreachReopened>()) {
    *command = Command::kReopen;
    return true;
  }
  return false;
}

BreachState Apply(const BreachState& state, const breach::v1::EventEnvelope& event) {
  if (event.payload().Is<breach::v1::BreachReported>()) {
    BreachState reported = state;
    if (reported.status == BREACH_STATUS_UNSPECIFIED) reported.status = BREACH_STATUS_REPORTED;
    return reported;
  }
  Command command;
  TriageVerdict verdict = breach::v1::TRIAGE_VERDICT_UNSPECIFIED;
  if (!CommandOf(event, &command, &verdict)) return state;
  absl::StatusOr<BreachState> next = Decide(state, command, verdict);
  return next.ok() ? *next : state;
}

void ApplyFieldChanges(const breach::v1::Amendment& amendment, breach::v1::BreachReport& report) {
  using google::protobuf::util::FieldMaskUtil;
  FieldMaskUtil::MergeOptions replace;
  replace.set_replace_message_fields(true);
  replace.set_replace_repeated_fields(true);
  for (const breach::v1::FieldChange& change : amendment.changes()) {
    breach::v1::BreachReport value;  // "" is an unset field: merging it clears the field
    if (!change.new_value().empty() &&
        !google::protobuf::util::JsonStringToMessage(change.new_value(), &value).ok()) {
      continue;  // written by intake from a valid report; never expected
    }
    google::protobuf::FieldMask field;
    field.add_paths(change.field());
    FieldMaskUtil::MergeMessageTo(value, field, replace, &report);
  }
}

}  // namespace breachd::lifecycle
