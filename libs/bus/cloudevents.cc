#include "libs/bus/cloudevents.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace breachd::bus {

MessageHeaders CloudEventHeaders(const breach::v1::EventEnvelope& event) {
  const absl::Time recorded_at = absl::FromUnixSeconds(event.recorded_at().seconds()) +
                                 absl::Nanoseconds(event.recorded_at().nanos());
  return {
      {"ce_specversion", "1.0"},
      {"ce_id", event.event_id()},
      {"ce_type", event.type()},
      {"ce_source", absl::StrCat("breachd/", event.source())},
      {"ce_subject", event.stream_id()},
      {"ce_time", absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", recorded_at, absl::UTCTimeZone())},
      {"content-type", kProtobufContentType},
  };
}

}  // namespace breachd::bus
