#include "libs/regulation/time_format.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace breachd::regulation {

std::string FormatRfc3339(absl::Time t, const absl::TimeZone& zone) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t, zone);
}

std::string FormatReadable(absl::Time t, const absl::TimeZone& zone) {
  return absl::FormatTime("%Y-%m-%d %H:%M %Z", t, zone);
}

absl::StatusOr<absl::Time> ParseRfc3339(absl::string_view text, absl::string_view field) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": not an RFC 3339 time with an offset (e.g. 2026-03-27T10:00:00+01:00): \"", text,
        "\""));
  }
  return t;
}

absl::Time AddCalendarMonths(absl::Time start, int months, const absl::TimeZone& zone) {
  const absl::CivilSecond local = absl::ToCivilSecond(start, zone);
  const absl::CivilMonth target = absl::CivilMonth(local) + months;
  const absl::CivilDay last_day = absl::CivilDay(target + 1) - 1;
  const int day = std::min(local.day(), last_day.day());
  const absl::CivilSecond due(target.year(), target.month(), day, local.hour(), local.minute(),
                              local.second());
  // A wall-clock time skipped or repeated by a DST change uses the offset in force before it.
  return zone.At(due).pre;
}

absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  return ts;
}

}  // namespace breachd::regulation
