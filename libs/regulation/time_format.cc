#include "libs/regulation/time_format.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace breachd::regulation {

namespace {

// Writes `value` as exactly `width` decimal digits ending just before `end`.
void PutDigits(char* end, int value, int width) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

std::string FormatRfc3339(absl::Time t, const absl::TimeZone& zone) {
  std::string out;
  FormatRfc3339To(t, zone, &out);
  return out;
}

void FormatRfc3339To(absl::Time t, const absl::TimeZone& zone, std::string* out) {
  // Hand-formatted: absl::FormatTime and snprintf dominate a deadline computation otherwise.
  const absl::TimeZone::CivilInfo info = zone.At(t);
  const int offset_minutes = info.offset / 60;
  const int abs_offset = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  out->assign("0000-00-00T00:00:00+00:00");
  char* p = out->data();
  PutDigits(p + 4, static_cast<int>(info.cs.year()), 4);
  PutDigits(p + 7, info.cs.month(), 2);
  PutDigits(p + 10, info.cs.day(), 2);
  PutDigits(p + 13, info.cs.hour(), 2);
  PutDigits(p + 16, info.cs.minute(), 2);
  PutDigits(p + 19, info.cs.second(), 2);
  p[19] = offset_minutes < 0 ? '-' : '+';
  PutDigits(p + 22, abs_offset / 60, 2);
  PutDigits(p + 25, abs_offset % 60, 2);
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
  SetProto(t, &ts);
  return ts;
}

void SetProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
}

}  // namespace breachd::regulation
