#include "services/intake/intake_module.h"

#include "services/intake/intake_service.h"

namespace breachd::intake {
namespace {

class HostedIntake final : public service::HostedService {
 public:
  explicit HostedIntake(const service::ServiceContext& context)
      : grpc_(context.store, context.identities, context.clock, context.on_append) {}

  std::vector<grpc::Service*> GrpcServices() override { return {&grpc_}; }
  std::vector<std::string> HealthNames() const override { return {"breach.v1.IntakeService"}; }

 private:
  IntakeService grpc_;
};

}  // namespace

service::ServiceModule IntakeModule() {
  return {kServiceName, /*publishes=*/true,
          [](const service::ServiceContext& context)
              -> absl::StatusOr<std::unique_ptr<service::HostedService>> {
            return std::make_unique<HostedIntake>(context);
          }};
}

}  // namespace breachd::intake
