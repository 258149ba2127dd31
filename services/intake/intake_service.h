// gRPC adapter of the intake service: Allegato A reports in, BreachReported events out.
// The decisions are in report_filing.h and report_validation.h, the rows in intake_schema.h.
#pragma once

#include <functional>
#include <string>

#include "breach/v1/intake.grpc.pb.h"
#include "libs/auth/identity_store.h"
#include "libs/common/clock.h"
#include "libs/common/striped_mutex.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/rpc_guard.h"

namespace breachd::intake {

inline constexpr char kServiceName[] = "intake";

class IntakeService final : public breach::v1::IntakeService::Service {
 public:
  // `on_append` runs after every durable append (wakes the outbox relay).
  IntakeService(eventstore::EventStore& store, const auth::IdentityStore& identities,
                const Clock& clock, std::function<void()> on_append);

  grpc::Status ReportBreach(grpc::ServerContext* context,
                            const breach::v1::ReportBreachRequest* request,
                            breach::v1::Report* response) override;
  grpc::Status GetReport(grpc::ServerContext* context, const breach::v1::GetReportRequest* request,
                         breach::v1::Report* response) override;

 private:
  absl::StatusOr<breach::v1::Report> File(const auth::Principal& principal,
                                          const breach::v1::ReportBreachRequest& request);
  absl::StatusOr<breach::v1::Report> Read(const auth::Principal& principal,
                                          const std::string& breach_id);

  eventstore::EventStore& store_;
  const auth::IdentityStore& identities_;
  const Clock& clock_;
  std::function<void()> on_append_;
  service::RpcGuard guard_;
  StripedMutex<> request_locks_;
};

}  // namespace breachd::intake
