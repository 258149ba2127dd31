// The lifecycle of a breach as a pure state machine (docs/lifecycle.md):
//
//   reported -> triaged (breach | not a breach | investigating) -> assessed -> decided -> closed
//
// with "back to assessed" when new facts arrive after a decision, and reopening a closed breach.
// Every service that changes a breach asks Decide() before appending its event, and every
// projection follows the events with Apply(); no I/O here.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "breach/v1/envelope.pb.h"
#include "breach/v1/intake.pb.h"
#include "breach/v1/lifecycle.pb.h"

namespace breachd::lifecycle {

using breach::v1::BreachStatus;
using breach::v1::TriageVerdict;

enum class Command {
  kTriage,            // judge the report (the verdict is an argument)
  kAmendReport,       // correct or complete the Allegato A
  kRecordAction,      // a containment or recovery action
  kSubmitAssessment,  // an Allegato B, evaluated by the engine
  kOverrideDuty,      // a human replaces an art. 33/34 decision
  kDecide,            // the art. 33/34 decisions are confirmed
  kClose,
  kReopen,
};

inline constexpr Command kAllCommands[] = {
    Command::kTriage,       Command::kAmendReport, Command::kRecordAction,
    Command::kSubmitAssessment, Command::kOverrideDuty, Command::kDecide,
    Command::kClose,        Command::kReopen};

const char* CommandName(Command command);
// "reported", "triaged", ... for messages.
std::string StatusName(BreachStatus status);

struct BreachState {
  BreachStatus status = breach::v1::BREACH_STATUS_UNSPECIFIED;  // no such breach yet
  TriageVerdict verdict = breach::v1::TRIAGE_VERDICT_UNSPECIFIED;
  bool ever_assessed = false;  // where reopening returns to
};

// The state after `command`, or FAILED_PRECONDITION naming the current status and why.
// `verdict` is the triage's verdict (kTriage only).
absl::StatusOr<BreachState> Decide(const BreachState& state, Command command,
                                   TriageVerdict verdict = breach::v1::TRIAGE_VERDICT_UNSPECIFIED);

// The command an event records, if it is one of the lifecycle's (BreachReported is not: it
// creates the breach). False for anything else (views, refusals, unknown types).
bool CommandOf(const breach::v1::EventEnvelope& event, Command* command, TriageVerdict* verdict);

// Follows one event: the state it leaves. An event the lifecycle does not know, or one that
// (replayed out of its service's order) would be impossible, leaves the state as it is: the
// deciding service already checked it, and a projection must never stop on history.
BreachState Apply(const BreachState& state, const breach::v1::EventEnvelope& event);

// Writes an amendment's new values into `report` (what the report reads after it).
void ApplyFieldChanges(const breach::v1::Amendment& amendment, breach::v1::BreachReport& report);

}  // namespace breachd::lifecycle
