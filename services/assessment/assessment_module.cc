#include "services/assessment/assessment_module.h"

#include "libs/common/status_macros.h"
#include "libs/regulation/engine_loader.h"
#include "libs/regulation/regime.h"
#include "libs/service/projection_consumer.h"
#include "services/assessment/assessment_consumer.h"
#include "services/assessment/assessment_schema.h"
#include "services/assessment/assessment_service.h"

namespace breachd::assessment {
namespace {

class HostedAssessment final : public service::HostedService {
 public:
  HostedAssessment(const service::ServiceContext& context,
                   std::shared_ptr<const regulation::RegulationEngine> engine)
      : engine_(engine),
        grpc_(context.store, context.identities, context.clock, context.on_append,
              std::move(engine), breach_locks_, *context.cipher),
        consumer_(context.store, breach_locks_,
                  [](const breach::v1::EventEnvelope& event) { return CaseKey(event.stream_id()); },
                  [&store = context.store](const breach::v1::EventEnvelope& event) {
                    return AssessmentRowsFor(store, event);
                  }) {}

  std::vector<grpc::Service*> GrpcServices() override { return {&grpc_}; }
  std::vector<std::string> HealthNames() const override {
    return {"breach.v1.AssessmentService"};
  }
  std::optional<service::EventConsumer> Consumer() override { return consumer_.Hooks(); }
  std::vector<std::string> DataVersions() const override {
    std::vector<std::string> versions;
    for (const breach::v1::Regime& regime : engine_->regimes()) {
      versions.push_back(regulation::RegimeRef(regime));
    }
    return versions;
  }

 private:
  std::shared_ptr<const regulation::RegulationEngine> engine_;
  StripedMutex<> breach_locks_;  // before the adapters that share it
  AssessmentService grpc_;
  service::ProjectionConsumer consumer_;
};

}  // namespace

service::ServiceModule AssessmentModule() {
  return {kServiceName, /*publishes=*/true,
          [](const service::ServiceContext& context)
              -> absl::StatusOr<std::unique_ptr<service::HostedService>> {
            ASSIGN_OR_RETURN(auto engine, regulation::LoadEngine(context.settings, kServiceName));
            return std::make_unique<HostedAssessment>(context, std::move(engine));
          }};
}

}  // namespace breachd::assessment
