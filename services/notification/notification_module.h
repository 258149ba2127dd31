// The notification service as breachd hosts it: its gRPC service, its consumer of intake's and
// assessment's events, the deadline sweeper (durable timers driven by the context's clock) and
// the dispatcher. Settings (from breachd's flags): regimes_dir, templates_dir, smtp_config,
// webhook_secret_file, webhook_ca_file, authority_address, dispatch_rate.
#pragma once

#include "libs/service/hosted_service.h"

namespace breachd::notification {

service::ServiceModule NotificationModule();

}  // namespace breachd::notification
