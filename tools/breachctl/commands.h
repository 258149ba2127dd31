// breachctl's commands. Each takes the parsed command line, talks to the services and prints;
// it returns the process exit code (0 only on success) after writing one clear line on `err`
// for a failure. The command table (command_table.h) has already checked the flags and the
// number of words after the command's path.
#pragma once

#include <iostream>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/support/status.h"
#include "absl/time/time.h"

#include "tools/breachctl/command_line.h"
#include "tools/breachctl/connection.h"
#include "tools/breachctl/output.h"

namespace breachd::breachctl {

struct CommandIo {
  Connection& connection;
  OutputFormat format;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool in_is_terminal = false;  // stdin is a terminal: never wait on it unasked
  std::string command;          // "report create", for the hint of usage errors
  bool err_is_terminal = false;  // stderr is a terminal: a long command may draw progress there
  bool out_is_terminal = false;  // stdout is a terminal: a progress bar redraws in place
};

// "breachctl: PROBLEM (see 'breachctl help COMMAND')" on one line; returns 2.
int UsageError(CommandIo& io, const std::string& problem);

// "breachctl: CODE: message" for a failed call, on one line; returns 1.
int FailCall(CommandIo& io, const grpc::Status& status);

int ReportCreate(const CommandLine& line, CommandIo& io);
int ReportGet(const CommandLine& line, CommandIo& io);
int BreachList(const CommandLine& line, CommandIo& io);
int BreachGet(const CommandLine& line, CommandIo& io);
int BreachTimeline(const CommandLine& line, CommandIo& io);
int BreachKnowledge(const CommandLine& line, CommandIo& io);
int Verify(const CommandLine& line, CommandIo& io);
int WhoAmI(const CommandLine& line, CommandIo& io);
int Health(const CommandLine& line, CommandIo& io);
int AdminStatus(const CommandLine& line, CommandIo& io);
// The offline engine (no server): libs/regulation's preview command, plus --aware-ago.
int AssessPreview(const CommandLine& line, CommandIo& io);

// --aware-ago: the RFC 3339 time DURATION ("6h", "90m", "1h30m", "2d") before `now`.
absl::StatusOr<std::string> AwarenessAgo(const std::string& duration, absl::Time now);
int AdminParked(const CommandLine& line, CommandIo& io);
// The lifecycle: triage, amendments, containment actions, assessments, overrides.
int BreachTriage(const CommandLine& line, CommandIo& io);
int ReportAmend(const CommandLine& line, CommandIo& io);
int ActionAdd(const CommandLine& line, CommandIo& io);
int ActionList(const CommandLine& line, CommandIo& io);
int AssessSubmit(const CommandLine& line, CommandIo& io);
int AssessShow(const CommandLine& line, CommandIo& io);
int AssessHistory(const CommandLine& line, CommandIo& io);
int DutyOverride(const CommandLine& line, CommandIo& io);
int AssessDecide(const CommandLine& line, CommandIo& io);
int BreachClose(const CommandLine& line, CommandIo& io);
int BreachReopen(const CommandLine& line, CommandIo& io);
int AdminRetry(const CommandLine& line, CommandIo& io);
// Backups: of every store while breachd serves (gRPC); a restore on a stopped service's host.
int AdminBackup(const CommandLine& line, CommandIo& io);
int AdminRebuild(const CommandLine& line, CommandIo& io);
int AdminRestore(const CommandLine& line, CommandIo& io);

// The stores' checkpoint public key and latest signed checkpoints.
int AdminPublicKey(const CommandLine& line, CommandIo& io);
// The notification service: school details, deadlines, drafts, approval, dispatch, receipts.
int SchoolSet(const CommandLine& line, CommandIo& io);
int SchoolShow(const CommandLine& line, CommandIo& io);
int SchoolImport(const CommandLine& line, CommandIo& io);
int SchoolList(const CommandLine& line, CommandIo& io);
int IncidentCreate(const CommandLine& line, CommandIo& io);
int IncidentStatus(const CommandLine& line, CommandIo& io);
int IncidentList(const CommandLine& line, CommandIo& io);
int IncidentUpdate(const CommandLine& line, CommandIo& io);
int BreachAck(const CommandLine& line, CommandIo& io);
int DeadlineList(const CommandLine& line, CommandIo& io);
int NotifyDraft(const CommandLine& line, CommandIo& io);
int NotifyShow(const CommandLine& line, CommandIo& io);
int NotifyApprove(const CommandLine& line, CommandIo& io);
int NotifySend(const CommandLine& line, CommandIo& io);
int NotifyStatus(const CommandLine& line, CommandIo& io);
int NotifyReceipt(const CommandLine& line, CommandIo& io);
int NotifyNotice(const CommandLine& line, CommandIo& io);

// A duration flag's value ("24h", "90m", "1h30m", "3d"), non-negative; INVALID_ARGUMENT naming
// --`flag` otherwise.
absl::StatusOr<absl::Duration> DurationFlag(const std::string& flag, const std::string& value);
// The time left to a deadline, to the minute: "41h12m", "0h05m", "-3h05m" once past.
std::string TimeLeft(absl::Duration left);

}  // namespace breachd::breachctl
