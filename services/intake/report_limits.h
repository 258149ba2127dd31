// How much intake accepts, in one place. The limits keep the largest accepted report's
// BreachReported envelope far below the bus's message size (bus::kProducerMessageMaxBytes), so
// what the API accepts the relay can always publish; report_limits_test checks it. Stated in
// docs/configuration.md and proto/breach/v1/intake.proto.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "breach/v1/intake.pb.h"

namespace breachd::intake {

inline constexpr size_t kMaxTenantBytes = 32;       // a school code is 10 characters
inline constexpr size_t kMaxPlaceBytes = 1024;
inline constexpr size_t kMaxNameBytes = 256;        // names, organization, department head
inline constexpr size_t kMaxEmailBytes = 256;       // RFC 5321 caps an address at 254
inline constexpr size_t kMaxPhoneBytes = 64;
inline constexpr size_t kMaxDescriptionBytes = 16 * 1024;
inline constexpr size_t kMaxActionsTakenBytes = 16 * 1024;
inline constexpr int kMaxDatabases = 50;
inline constexpr size_t kMaxDatabaseBytes = 256;    // each entry of report.databases
inline constexpr int kMaxDataSubjectCategories = 16;

// One free-text field of BreachReport and its limit in bytes (UTF-8).
struct TextFieldLimit {
  absl::string_view field;  // proto field path within BreachReport, e.g. "reporter.name"
  size_t max_bytes;
};
// Every free-text field of BreachReport with its limit.
const std::vector<TextFieldLimit>& TextFieldLimits();

// Sizes first, before any other check: INVALID_ARGUMENT naming the field and the limit, e.g.
// "report.description is 2097152 bytes; the limit is 16384".
absl::Status CheckReportLimits(const breach::v1::BreachReport& report);

}  // namespace breachd::intake
