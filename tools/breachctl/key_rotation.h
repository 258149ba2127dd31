// `breachctl admin rotate-signing-key` and `admin key-chain`: rotating the checkpoint signing
// key offline, the new public key endorsed by the old one, and following that chain from the
// root key a third party holds (libs/eventstore/key_chain.h; docs/security.md).
#pragma once

#include "tools/breachctl/commands.h"

namespace breachd::breachctl {

int AdminRotateSigningKey(const CommandLine& line, CommandIo& io);
int AdminKeyChain(const CommandLine& line, CommandIo& io);

}  // namespace breachd::breachctl
