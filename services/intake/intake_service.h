// gRPC adapter of the intake service: Allegato A reports in, BreachReported events out.
// The decisions are in report_filing.h and report_validation.h, the rows in intake_schema.h.
#pragma once

#include <functional>
#include <memory>
#include <vector>
#include <string>

#include "breach/v1/intake.grpc.pb.h"
#include "libs/auth/identity_store.h"
#include "libs/common/clock.h"
#include "libs/common/striped_mutex.h"
#include "libs/eventstore/event_store.h"
#include "libs/lifecycle/breach_lifecycle.h"
#include "libs/service/fellow_forwarder.h"
#include "libs/service/personal_data.h"
#include "libs/privacy/field_cipher.h"
#include "libs/service/rpc_guard.h"

namespace breachd::intake {

inline constexpr char kServiceName[] = "intake";

class IntakeService final : public breach::v1::IntakeService::Service {
 public:
  // `on_append` runs after every durable append (wakes the outbox relay).
  // `breach_locks` is shared with the consumer: one change of a report at a time.
  // `fellows`: set when this is one of several intake instances, each the home of some
  // partitions (docs/scaling.md): requests about other breaches are forwarded to their home,
  // and a new breach's id is drawn in a partition this instance holds.
  IntakeService(eventstore::EventStore& store, const auth::IdentityStore& identities,
                const Clock& clock, std::function<void()> on_append,
                StripedMutex<>& breach_locks, privacy::FieldCipher& cipher,
                service::Fellows fellows = {});

  grpc::Status ReportBreach(grpc::ServerContext* context,
                            const breach::v1::ReportBreachRequest* request,
                            breach::v1::Report* response) override;
  grpc::Status GetReport(grpc::ServerContext* context, const breach::v1::GetReportRequest* request,
                         breach::v1::Report* response) override;
  grpc::Status Triage(grpc::ServerContext* context, const breach::v1::TriageRequest* request,
                      breach::v1::Report* response) override;
  grpc::Status AmendReport(grpc::ServerContext* context,
                           const breach::v1::AmendReportRequest* request,
                           breach::v1::Report* response) override;
  grpc::Status AddAction(grpc::ServerContext* context, const breach::v1::AddActionRequest* request,
                         breach::v1::ContainmentAction* response) override;
  grpc::Status ListActions(grpc::ServerContext* context,
                           const breach::v1::ListActionsRequest* request,
                           breach::v1::ListActionsResponse* response) override;
  grpc::Status CloseBreach(grpc::ServerContext* context,
                           const breach::v1::CloseBreachRequest* request,
                           breach::v1::Report* response) override;
  grpc::Status ReopenBreach(grpc::ServerContext* context,
                            const breach::v1::ReopenBreachRequest* request,
                            breach::v1::Report* response) override;

 private:
  absl::StatusOr<breach::v1::Report> File(const auth::Principal& principal,
                                          const breach::v1::ReportBreachRequest& request);
  absl::StatusOr<breach::v1::Report> Read(const auth::Principal& principal,
                                          const std::string& breach_id);

  // One change of a filed breach, under the breach's lock: finds the report (NOT_FOUND, also
  // for another school's), authorizes `action`, checks the revision, asks `decide` for the
  // event and the rows it adds, and appends them with the report as it becomes, at the stream
  // version it read (ABORTED if the stream moved meanwhile).
  struct Change {
    std::unique_ptr<google::protobuf::Message> event;
    std::vector<eventstore::ProjectionWrite> rows;
  };
  using Decider = std::function<absl::StatusOr<Change>(breach::v1::Report& report, absl::Time now)>;
  absl::StatusOr<breach::v1::Report> ChangeBreach(const auth::Principal& principal,
                                                  const std::string& breach_id,
                                                  auth::Action action, const std::string& method,
                                                  uint64_t expected_revision,
                                                  const std::string& causation_id,
                                                  const Decider& decide);
  // The report as the caller may see it: without personal data for the provider's staff unless
  // the school granted access or the caller broke the glass (personal_data.h).
  absl::Status Redact(const auth::Principal& principal, breach::v1::Report& report) const;
  // Finds the report of `breach_id` and checks the caller may take `action` on it.
  absl::StatusOr<breach::v1::Report> FindAuthorized(const auth::Principal& principal,
                                                    const std::string& breach_id,
                                                    auth::Action action,
                                                    const std::string& method);
  // Close or reopen, with the reason, as `event` (BreachClosed or BreachReopened).
  template <typename Event>
  absl::StatusOr<breach::v1::Report> CloseOrReopen(const auth::Principal& principal,
                                                   const std::string& breach_id,
                                                   const std::string& reason,
                                                   uint64_t expected_revision,
                                                   lifecycle::Command command,
                                                   const std::string& method);
  absl::StatusOr<breach::v1::ContainmentAction> RecordAction(
      const auth::Principal& principal, const breach::v1::AddActionRequest& request);

  // A stored report or action with its personal fields opened, for a response.
  template <typename Row>
  Row Opened(Row row) {
    cipher_.OpenPersonalData(row);
    return row;
  }

  eventstore::EventStore& store_;
  privacy::FieldCipher& cipher_;  // personal fields are sealed before anything is appended
  const auth::IdentityStore& identities_;
  const Clock& clock_;
  std::function<void()> on_append_;
  service::RpcGuard guard_;
  service::PersonalDataGate gate_;
  StripedMutex<> request_locks_;  // per request id: a retry waits for the first attempt
  StripedMutex<>& breach_locks_;  // per breach: one change at a time; taken after request_locks_
  const bus::PartitionOwnership* ownership_;  // nullptr: the only instance
  using Fellow = breach::v1::IntakeService::StubInterface;
  service::FellowForwarder<breach::v1::IntakeService> forwarder_;
};

// The routing key of a new report: its idempotency key (tenant and request id), so that a
// retry reaches the instance that filed the first attempt. Empty when either is missing (the
// request is refused where it lands).
std::string ReportRouteKey(const breach::v1::ReportBreachRequest& request);

}  // namespace breachd::intake
