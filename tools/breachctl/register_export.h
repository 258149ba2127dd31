// breachctl register export and verify --export: the register for an inspection as CSV, JSON
// or PDF, and the offline check of an exported JSON against its hashes (docs/register.md).
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "breach/v1/register.pb.h"
#include "tools/breachctl/command_line.h"
#include "tools/breachctl/commands.h"

namespace breachd::breachctl {

int RegisterExport(const CommandLine& line, CommandIo& io);
// Reads a whole ExportRegister stream into `exported`, a progress bar on a terminal; 0, or the
// exit code after one error line.
int FetchRegisterExport(CommandIo& io, const breach::v1::ExportRegisterRequest& request,
                        breach::v1::RegisterExport& exported);
// `breachctl verify --export FILE`, offline.
int VerifyExport(const std::string& file, CommandIo& io);

// The CSV export: a header line of the documented columns, then one row per breach (RFC 4180,
// UTF-8, CRLF line ends).
std::string ExportCsv(const breach::v1::RegisterExport& exported);

// What is wrong with one exported breach, checked offline: each event's hash, the links between
// consecutive events, each stream's head, and the entry folded again from the events (`zone`
// counts the year). Empty when it holds.
std::vector<std::string> CheckExportedBreach(const breach::v1::ExportedBreach& breach,
                                             const absl::TimeZone& zone);

}  // namespace breachd::breachctl
