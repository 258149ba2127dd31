// The CloudEvents 1.0 Kafka protocol binding, binary mode: the event is the message value
// (the serialized EventEnvelope) and its attributes travel as ce_* headers. See docs/bus.md.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "breach/v1/envelope.pb.h"

namespace breachd::bus {

inline constexpr char kProtobufContentType[] = "application/protobuf";

using MessageHeaders = std::vector<std::pair<std::string, std::string>>;

// ce_id, ce_type, ce_source ("breachd/<source>"), ce_specversion ("1.0"), ce_time (RFC 3339
// recorded_at), ce_subject (stream_id) and content-type.
MessageHeaders CloudEventHeaders(const breach::v1::EventEnvelope& event);

}  // namespace breachd::bus
