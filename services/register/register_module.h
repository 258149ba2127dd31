// The register as breachd hosts it: its gRPC service and its consumer of every publishing
// service's events.
#pragma once

#include "libs/service/hosted_service.h"

namespace breachd::register_ {

// FAILED_PRECONDITION at create when the register's time zone cannot be loaded (no tzdata).
service::ServiceModule RegisterModule();

}  // namespace breachd::register_
