// Identifiers: ULIDs (time-ordered, 26 Crockford base-32 characters), used for breach ids,
// event ids and request correlation.
#pragma once

#include <string>

#include "absl/time/time.h"

namespace breachd {

// A new ULID for time `now`; the 80 random bits come from a thread-local CSPRNG-seeded engine.
std::string NewUlid(absl::Time now);

// True if `id` has the shape of a ULID.
bool IsUlid(const std::string& id);

// A random token of `bytes` bytes, hex-encoded (for development bearer tokens).
std::string RandomHexToken(int bytes);

}  // namespace breachd
