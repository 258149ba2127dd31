// The intake as breachd hosts it: its gRPC service; it consumes nothing.
#pragma once

#include "libs/service/hosted_service.h"

namespace breachd::intake {

service::ServiceModule IntakeModule();

}  // namespace breachd::intake
