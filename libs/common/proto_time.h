// Conversions between google.protobuf.Timestamp and absl::Time that cannot overflow: they go
// through seconds and nanos, never through int64 nanoseconds (which end in 2262).
#pragma once

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace breachd {

// Exact for every Timestamp, including out-of-range ones (absl::Time spans far more).
inline absl::Time TimeFromProto(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

// For times within the Timestamp range (0001..9999), as every clock reading is.
inline google::protobuf::Timestamp ProtoFromTime(absl::Time time) {
  const int64_t seconds = absl::ToUnixSeconds(time);
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return timestamp;
}

}  // namespace breachd
