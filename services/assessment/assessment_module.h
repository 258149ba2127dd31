// The assessment service as breachd hosts it: its gRPC service and its consumer of the other
// services' events. The regimes and templates are loaded and validated when it is created: a
// bad file stops the start with an error naming the file and the field.
#pragma once

#include "libs/service/hosted_service.h"

namespace breachd::assessment {

service::ServiceModule AssessmentModule();

}  // namespace breachd::assessment
