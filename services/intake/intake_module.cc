#include "services/intake/intake_module.h"

#include "absl/strings/numbers.h"
#include "libs/service/projection_consumer.h"
#include "services/intake/access_service.h"
#include "services/intake/directory_service.h"
#include "services/intake/incident_service.h"
#include "services/intake/intake_consumer.h"
#include "services/intake/intake_schema.h"
#include "services/intake/intake_service.h"

namespace breachd::intake {
namespace {

// --fanout_batch_pause_ms (tests only): a pause between two batches of a fan-out.
absl::Duration FanOutPause(const service::ServiceContext& context) {
  auto it = context.settings.find("fanout_batch_pause_ms");
  int millis = 0;
  if (it == context.settings.end() || !absl::SimpleAtoi(it->second, &millis) || millis <= 0) {
    return absl::ZeroDuration();
  }
  return absl::Milliseconds(millis);
}

// The other intake instances (breachd --partitioned=intake), where requests about the breaches
// and incidents of their partitions go.
service::Fellows FellowsOf(const service::ServiceContext& context) {
  return {context.ownership, context.fellows, context.fellow_credentials};
}

class HostedIntake final : public service::HostedService {
 public:
  explicit HostedIntake(const service::ServiceContext& context)
      : grpc_(context.store, context.identities, context.clock, context.on_append,
              breach_locks_, *context.cipher, FellowsOf(context)),
        access_(context.store, context.identities, context.clock, context.on_append,
                breach_locks_, FellowsOf(context)),
        directory_(context.store, context.identities, context.clock, context.on_append,
                   *context.cipher, FellowsOf(context)),
        fan_out_(context.store, breach_locks_, context.clock, context.on_append, *context.cipher,
                 FanOutPause(context), context.ownership),
        incidents_(context.store, context.identities, context.clock, context.on_append, fan_out_,
                   *context.cipher, FellowsOf(context)),
        consumer_(context.store, breach_locks_,
                  [](const breach::v1::EventEnvelope& event) { return ReportKey(event.stream_id()); },
                  [&store = context.store](const breach::v1::EventEnvelope& event) {
                    return IntakeRowsFor(store, event);
                  }) {
    fan_out_.Start();  // resumes an incident whose fan-out a stop or a crash cut short
  }

  std::vector<grpc::Service*> GrpcServices() override {
    return {&grpc_, &access_, &directory_, &incidents_};
  }
  // The access, directory and incidents share the intake's store: healthy when the intake is.
  std::vector<std::string> HealthNames() const override {
    return {"breach.v1.IntakeService", "breach.v1.AccessService", "breach.v1.DirectoryService",
            "breach.v1.IncidentService"};
  }
  // The lifecycle decided elsewhere (assessments, overrides).
  std::optional<service::EventConsumer> Consumer() override { return consumer_.Hooks(); }

 private:
  StripedMutex<> breach_locks_;  // before the adapters that share it
  IntakeService grpc_;
  AccessService access_;
  DirectoryService directory_;
  FanOutWorker fan_out_;
  IncidentService incidents_;
  service::ProjectionConsumer consumer_;
};

}  // namespace

service::ServiceModule IntakeModule() {
  service::ServiceModule module{kServiceName, /*publishes=*/true,
                                [](const service::ServiceContext& context)
                                    -> absl::StatusOr<std::unique_ptr<service::HostedService>> {
                                  return std::make_unique<HostedIntake>(context);
                                }};
  // Each instance is the home of fixed partitions (--home_partitions): its store is the only
  // copy of their streams, so they never move with the consumer group (docs/scaling.md).
  module.partitionable = true;
  module.home_partitioned = true;
  return module;
}

}  // namespace breachd::intake
