#include "services/register/register_module.h"

#include "absl/strings/str_cat.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_zone.h"
#include <thread>

#include "services/register/register_consumer.h"
#include "services/register/register_projection.h"
#include "services/register/register_rebuild.h"
#include "services/register/register_schema.h"
#include "services/register/register_service.h"

namespace breachd::register_ {
namespace {

class HostedRegister final : public service::HostedService {
 public:
  HostedRegister(const service::ServiceContext& context, absl::TimeZone zone)
      : grpc_(context.store, context.identities, context.clock, context.on_append,
              *context.cipher, context.ownership, context.fellows, context.fellow_credentials),
        consumer_(context.store, zone, context.ownership), zone_(zone),
        ownership_(context.ownership) {}

  std::vector<grpc::Service*> GrpcServices() override { return {&grpc_}; }
  std::vector<std::string> HealthNames() const override { return {"breach.v1.RegisterService"}; }
  std::optional<service::EventConsumer> Consumer() override {
    RegisterConsumer* consumer = &consumer_;
    return service::EventConsumer{
        [consumer](const breach::v1::EventEnvelope& event) {
          return consumer->ApplyConsumed(event);
        },
        [consumer] { return consumer->MakeAppliedDurable(); }, UnpartitionedStreamPrefixes()};
  }
  std::unique_ptr<service::ProjectionFold> NewRebuildFold() override {
    // Every core: the breaches fold independently. Partitioned: this instance's breaches only.
    return std::make_unique<RebuildFold>(
        zone_, std::max(1, static_cast<int>(std::thread::hardware_concurrency())),
        /*chunk_rows=*/10'000, ownership_);
  }

 private:
  RegisterService grpc_;
  RegisterConsumer consumer_;
  absl::TimeZone zone_;
  const bus::PartitionOwnership* ownership_;  // nullptr: not partitioned
};

}  // namespace

service::ServiceModule RegisterModule() {
  service::ServiceModule module{kServiceName, /*publishes=*/true,
          [](const service::ServiceContext& context)
              -> absl::StatusOr<std::unique_ptr<service::HostedService>> {
            // Without tzdata the register's years would silently be counted in UTC.
            ASSIGN_OR_RETURN(absl::TimeZone zone, LoadNamedTimeZone(kRegisterTimeZone));
            // Before the subscription starts: a rebuild catches up from the first event.
            ASSIGN_OR_RETURN(bool rebuilding, PrepareStore(context.store));
            if (rebuilding) {
              log::Info("the register's store has an earlier schema: rebuilding it from the "
                        "sources",
                        {{"schema", absl::StrCat(kSchemaVersion)}});
            }
            return std::make_unique<HostedRegister>(context, zone);
          }};
  module.partitionable = true;  // RegisterConsumer and RegisterService honour the ownership
  return module;
}

}  // namespace breachd::register_
