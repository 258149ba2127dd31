#include "services/notification/notification_module.h"

#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/regulation/engine_loader.h"
#include "libs/regulation/regime.h"
#include "libs/regulation/template_loader.h"
#include "libs/timers/timer_sweeper.h"
#include "services/notification/case_reactor.h"
#include "services/notification/deadline_sweep.h"
#include "services/notification/dispatcher.h"
#include "services/notification/incident_drafter.h"
#include "services/notification/notification_gauges.h"
#include "services/notification/notification_service.h"

namespace breachd::notification {
namespace {

class HostedNotification final : public service::HostedService {
 public:
  HostedNotification(const service::ServiceContext& context,
                     std::shared_ptr<const regulation::RegulationEngine> engine,
                     std::shared_ptr<const regulation::NotificationTemplates> templates,
                     ChannelSettings channels)
      : store_(context.store),
        clock_(context.clock),
        engine_(engine),
        channels_(std::move(channels)),
        sweep_(context.store, breach_locks_, context.on_append),
        sweeper_(context.clock, [this](absl::Time now) { return sweep_.Sweep(now); }),
        dispatcher_(context.store, breach_locks_, context.clock,
                    std::make_unique<ChannelSender>(channels_), context.on_append,
                    context.cipher),
        drafter_(context.store, breach_locks_, context.clock, engine, templates, context.on_append,
                 context.cipher),
        reactor_(context.store, breach_locks_, context.clock, engine, context.on_append,
                 [this](absl::Time earliest) { sweeper_.Poke(earliest); },
                 [this] { drafter_.Poke(); }),
        grpc_(NotificationDeps{context.store, context.identities, context.clock,
                               context.on_append, engine, std::move(templates), breach_locks_,
                               channels_, [this] { dispatcher_.Poke(); },
                               [this] { sweeper_.Poke(); }, context.cipher}) {}

  ~HostedNotification() override {
    drafter_.Stop();
    dispatcher_.Stop();
    sweeper_.Stop();
  }

  absl::Status Start() {
    RETURN_IF_ERROR(dispatcher_.Recover());
    // Warnings and misses that fell due while the service was down are emitted now, once.
    sweeper_.Start();
    dispatcher_.Start();
    drafter_.Start();  // notices left due by a stop are drafted now
    return absl::OkStatus();
  }

  std::vector<grpc::Service*> GrpcServices() override { return {&grpc_}; }
  std::vector<std::string> HealthNames() const override {
    return {"breach.v1.NotificationService"};
  }
  std::optional<service::EventConsumer> Consumer() override { return reactor_.Hooks(); }
  std::vector<GaugeSample> SampleGauges() override {
    absl::StatusOr<std::vector<GaugeSample>> samples =
        NotificationGauges(store_, clock_.Now());
    if (!samples.ok()) {
      log::Warn("notification: cannot sample the gauges", {{"error", samples.status().ToString()}});
      return {};
    }
    return *std::move(samples);
  }
  std::vector<std::string> DataVersions() const override {
    std::vector<std::string> versions;
    for (const breach::v1::Regime& regime : engine_->regimes()) {
      versions.push_back(regulation::RegimeRef(regime));
    }
    return versions;
  }

 private:
  eventstore::EventStore& store_;
  const Clock& clock_;
  std::shared_ptr<const regulation::RegulationEngine> engine_;
  ChannelSettings channels_;
  StripedMutex<> breach_locks_;  // before everything that shares it
  DeadlineSweep sweep_;
  timers::TimerSweeper sweeper_;
  Dispatcher dispatcher_;
  IncidentDrafter drafter_;
  CaseReactor reactor_;
  NotificationService grpc_;
};

}  // namespace

service::ServiceModule NotificationModule() {
  return {kServiceName, /*publishes=*/true,
          [](const service::ServiceContext& context)
              -> absl::StatusOr<std::unique_ptr<service::HostedService>> {
            ASSIGN_OR_RETURN(auto engine, regulation::LoadEngine(context.settings, kServiceName));
            ASSIGN_OR_RETURN(regulation::TemplateSet templates,
                             regulation::LoadNotificationTemplateDirectory(
                                 regulation::EngineDataDir(context.settings, "templates")));
            ASSIGN_OR_RETURN(regulation::NotificationTemplates compiled,
                             regulation::NotificationTemplates::Compile(templates));
            ASSIGN_OR_RETURN(ChannelSettings channels, LoadChannelSettings(context.settings));
            auto hosted = std::make_unique<HostedNotification>(
                context, std::move(engine),
                std::make_shared<const regulation::NotificationTemplates>(std::move(compiled)),
                std::move(channels));
            RETURN_IF_ERROR(hosted->Start());
            return hosted;
          }};
}

}  // namespace breachd::notification
