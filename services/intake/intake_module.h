// The intake as breachd hosts it: its gRPC service, and a consumer of the lifecycle decided
// by other services (assessments, overrides).
#pragma once

#include "libs/service/hosted_service.h"

namespace breachd::intake {

service::ServiceModule IntakeModule();

}  // namespace breachd::intake
