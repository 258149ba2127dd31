// breachctl token mint: a development JWT signed with a local key, for a breachd started with
// --jwks holding the matching public key (docs/security.md). Offline: no server.
#pragma once

#include "tools/breachctl/command_line.h"
#include "tools/breachctl/commands.h"

namespace breachd::breachctl {

int TokenMint(const CommandLine& line, CommandIo& io);

}  // namespace breachd::breachctl
