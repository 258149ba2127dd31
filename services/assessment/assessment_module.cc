#include "services/assessment/assessment_module.h"

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_zone.h"
#include "libs/regulation/regime.h"
#include "libs/regulation/regime_loader.h"
#include "libs/regulation/template_loader.h"
#include "libs/service/projection_consumer.h"
#include "services/assessment/assessment_consumer.h"
#include "services/assessment/assessment_schema.h"
#include "services/assessment/assessment_service.h"

namespace breachd::assessment {
namespace {

// The folder of the engine's `kind` ("regimes" or "templates"): the setting, else
// $BREACHD_DATA_DIR/<kind>, ./<kind>, then the source tree's.
std::string DataDir(const std::map<std::string, std::string>& settings, const std::string& kind) {
  if (auto it = settings.find(kind + "_dir"); it != settings.end() && !it->second.empty()) {
    return it->second;
  }
  std::error_code error;
  if (const char* root = std::getenv("BREACHD_DATA_DIR"); root != nullptr && *root != '\0') {
    const std::string dir = absl::StrCat(root, "/", kind);
    if (std::filesystem::is_directory(dir, error)) return dir;
  }
  if (std::filesystem::is_directory(kind, error)) return kind;
  return absl::StrCat(BREACHD_SOURCE_DIR, "/", kind);
}

absl::StatusOr<std::shared_ptr<const regulation::RegulationEngine>> LoadEngine(
    const std::map<std::string, std::string>& settings) {
  const std::string regimes_dir = DataDir(settings, "regimes");
  const std::string templates_dir = DataDir(settings, "templates");
  // The loaders name the file and the field of a bad file.
  ASSIGN_OR_RETURN(std::vector<breach::v1::Regime> regimes,
                   regulation::LoadRegimeDirectory(regimes_dir));
  ASSIGN_OR_RETURN(regulation::TemplateSet templates,
                   regulation::LoadTemplateDirectory(templates_dir));
  if (regimes.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("no regime in ", regimes_dir));
  }
  ASSIGN_OR_RETURN(absl::TimeZone zone, LoadNamedTimeZone(regimes.front().time_zone()));
  std::vector<std::string> in_use;
  for (const breach::v1::Regime& regime : regimes) in_use.push_back(regulation::RegimeRef(regime));
  ASSIGN_OR_RETURN(regulation::RegulationEngine engine,
                   regulation::RegulationEngine::Create(std::move(regimes), std::move(templates),
                                                        zone));
  log::Info("assessment: regulatory engine loaded", {{"regimes", absl::StrJoin(in_use, ",")},
                                                     {"regimes_dir", regimes_dir},
                                                     {"templates_dir", templates_dir}});
  return std::make_shared<const regulation::RegulationEngine>(std::move(engine));
}

class HostedAssessment final : public service::HostedService {
 public:
  HostedAssessment(const service::ServiceContext& context,
                   std::shared_ptr<const regulation::RegulationEngine> engine)
      : engine_(engine),
        grpc_(context.store, context.identities, context.clock, context.on_append,
              std::move(engine), breach_locks_),
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
            ASSIGN_OR_RETURN(auto engine, LoadEngine(context.settings));
            return std::make_unique<HostedAssessment>(context, std::move(engine));
          }};
}

}  // namespace breachd::assessment
