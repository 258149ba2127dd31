// Identifiers: ULIDs (time-ordered, 26 Crockford base-32 characters), used for breach ids,
// event ids and request correlation.
#pragma once

#include <string>

#include "absl/time/time.h"

namespace breachd {

// A new ULID for time `now`; the 80 random bits come from a thread-local CSPRNG-seeded engine.
std::string NewUlid(absl::Time now);

// A ULID derived from `base` (a ULID: its time) and `key`, the same every time: the ids a
// retried or resumed fan-out gives each case (e.g. base = incident id, key = school code), so a
// second attempt cannot create a second case (the store refuses event ids it has).
std::string DerivedUlid(const std::string& base, const std::string& key);

// True if `id` has the shape of a ULID.
bool IsUlid(const std::string& id);

// A random token of `bytes` bytes, hex-encoded (for development bearer tokens).
std::string RandomHexToken(int bytes);

}  // namespace breachd
