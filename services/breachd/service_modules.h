// Every service this build of breachd can host, by name: the one table --services is checked
// against and the suite builds from.
#pragma once

#include <string>
#include <vector>

#include "libs/service/hosted_service.h"

namespace breachd::suite {

// In the order they are started.
const std::vector<service::ServiceModule>& ServiceModules();

// The module named `name`, or nullptr.
const service::ServiceModule* FindModule(const std::string& name);

}  // namespace breachd::suite
