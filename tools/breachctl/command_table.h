// breachctl's one table of commands: names, usage, flags, help, examples and handlers. It drives
// dispatch (app.h), every help text and the bash completion script (cli.h).
#pragma once

#include "tools/breachctl/cli.h"

namespace breachd::breachctl {

const CliSpec& BreachctlCli();

}  // namespace breachd::breachctl
