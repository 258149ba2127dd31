// Loading a named time zone, loudly: a host without tzdata must not silently count deadlines or
// register years in UTC.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace breachd {

// The zone, or FAILED_PRECONDITION naming it and the package that provides it.
inline absl::StatusOr<absl::TimeZone> LoadNamedTimeZone(const std::string& name) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(name, &zone)) {
    return absl::FailedPreconditionError(
        absl::StrCat("time zone ", name, " not found (install the tzdata package)"));
  }
  return zone;
}

}  // namespace breachd
