// Which produce errors are about the message itself, so that sending the same bytes again fails
// the same way, and which are about the bus (retried until the broker takes the message).
#pragma once

#include <librdkafka/rdkafka.h>

namespace breachd::bus {

// True for a per-message refusal that no retry cures: too large, malformed, rejected by the
// topic's policy, not authorized. The relay parks such an event (docs/bus.md, "Parking").
// False for everything else: broker down, timeouts, leader moves, queue full, purges, fatal
// producer errors, which the relay retries as before.
bool IsPermanentMessageError(rd_kafka_resp_err_t err);

}  // namespace breachd::bus
