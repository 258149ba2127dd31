// breachctl tenant: a school's whole record at the end of its contract (export), the erasure of
// its keys (crypto-shredding), its contract end and retention standing. Provider operators.
#pragma once

#include "tools/breachctl/command_line.h"
#include "tools/breachctl/commands.h"

namespace breachd::breachctl {

int TenantExport(const CommandLine& line, CommandIo& io);
int TenantErase(const CommandLine& line, CommandIo& io);
int TenantContractEnd(const CommandLine& line, CommandIo& io);
int TenantRetention(const CommandLine& line, CommandIo& io);
int TenantRotateKey(const CommandLine& line, CommandIo& io);

}  // namespace breachd::breachctl
