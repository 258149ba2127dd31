#include "services/breachd/service_modules.h"

#include "services/assessment/assessment_module.h"
#include "services/intake/intake_module.h"
#include "services/notification/notification_module.h"
#include "services/register/register_module.h"

namespace breachd::suite {

const std::vector<service::ServiceModule>& ServiceModules() {
  static const auto* modules =
      new std::vector<service::ServiceModule>{intake::IntakeModule(), assessment::AssessmentModule(),
                                              notification::NotificationModule(),
                                              register_::RegisterModule()};
  return *modules;
}

const service::ServiceModule* FindModule(const std::string& name) {
  for (const service::ServiceModule& module : ServiceModules()) {
    if (module.name == name) return &module;
  }
  return nullptr;
}

}  // namespace breachd::suite
