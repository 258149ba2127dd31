// Time helpers shared by deadlines, drafts and the preview command.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace breachd::regulation {

// RFC 3339 with the zone's offset: "2026-03-30T11:00:00+02:00".
std::string FormatRfc3339(absl::Time t, const absl::TimeZone& zone);
// The same into *out, reusing its capacity.
void FormatRfc3339To(absl::Time t, const absl::TimeZone& zone, std::string* out);

// For people: "lun 30 mar 2026 11:00 CEST" style, language-neutral: "2026-03-30 11:00 CEST".
std::string FormatReadable(absl::Time t, const absl::TimeZone& zone);

// Accepts RFC 3339 with an offset or "Z" ("2026-03-27T10:00:00+01:00"). `field` names the
// input in the error.
absl::StatusOr<absl::Time> ParseRfc3339(absl::string_view text, absl::string_view field);

// `months` calendar months after `start` in `zone`, same wall-clock time; a day that does not
// exist in the target month becomes its last day (31 January + 1 month = 28/29 February).
absl::Time AddCalendarMonths(absl::Time start, int months, const absl::TimeZone& zone);

absl::Time FromProto(const google::protobuf::Timestamp& ts);
google::protobuf::Timestamp ToProto(absl::Time t);
void SetProto(absl::Time t, google::protobuf::Timestamp* out);

}  // namespace breachd::regulation
