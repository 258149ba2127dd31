// `breachctl breach grant-access|revoke-access|break-glass`: the provider's access to a school's
// personal data (docs/security.md, "Least privilege for the provider").
#pragma once

#include "tools/breachctl/commands.h"

namespace breachd::breachctl {

int BreachGrantAccess(const CommandLine& line, CommandIo& io);
int BreachRevokeAccess(const CommandLine& line, CommandIo& io);
int BreachBreakGlass(const CommandLine& line, CommandIo& io);

}  // namespace breachd::breachctl
