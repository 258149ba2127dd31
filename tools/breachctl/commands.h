// breachctl's commands. Each takes the parsed command line, talks to the services and prints;
// it returns the process exit code (0 only on success) after writing one clear line on `err`
// for a failure.
#pragma once

#include <iostream>

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
};

int ReportCreate(const CommandLine& line, CommandIo& io);
int ReportGet(const CommandLine& line, CommandIo& io);
int BreachList(const CommandLine& line, CommandIo& io);
int BreachGet(const CommandLine& line, CommandIo& io);
int BreachTimeline(const CommandLine& line, CommandIo& io);
int Verify(const CommandLine& line, CommandIo& io);
int WhoAmI(const CommandLine& line, CommandIo& io);
// admin parked list [--service S] | admin parked retry (POSITION | --all) [--service S]
int AdminParked(const CommandLine& line, CommandIo& io);

}  // namespace breachd::breachctl
