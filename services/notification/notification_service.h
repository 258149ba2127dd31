// gRPC adapter of the notification service: school details, deadlines, drafts and their
// approval, sending, status and receipts. The decisions are in notification_decisions.h and
// clock_planner.h, the rows in notification_schema.h, the bus side in case_reactor.h, sending in
// dispatcher.h.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "breach/v1/notification.grpc.pb.h"
#include "libs/auth/identity_store.h"
#include "libs/common/clock.h"
#include "libs/common/striped_mutex.h"
#include "libs/eventstore/event_store.h"
#include "libs/regulation/engine.h"
#include "libs/regulation/notification_drafts.h"
#include "libs/service/read_recorder.h"
#include "libs/service/personal_data.h"
#include "libs/service/rpc_guard.h"
#include "services/notification/channel_sender.h"
#include "services/notification/stream_change.h"

namespace breachd::privacy {
class FieldCipher;
}  // namespace breachd::privacy

namespace breachd::notification {

struct NotificationDeps {
  eventstore::EventStore& store;
  const auth::IdentityStore& identities;
  const Clock& clock;
  std::function<void()> on_append;
  std::shared_ptr<const regulation::RegulationEngine> engine;
  std::shared_ptr<const regulation::NotificationTemplates> templates;
  StripedMutex<>& breach_locks;
  const ChannelSettings& channels;
  std::function<void()> on_queued;          // wakes the dispatcher
  std::function<void()> on_timers_changed;  // wakes the deadline sweeper
  // Opens the report's personal fields (sealed by intake) for the drafts; nullptr: as stored.
  privacy::FieldCipher* cipher = nullptr;
};

class NotificationService final : public breach::v1::NotificationService::Service {
 public:
  explicit NotificationService(NotificationDeps deps);

  grpc::Status SetSchoolProfile(grpc::ServerContext* context,
                                const breach::v1::SetSchoolProfileRequest* request,
                                breach::v1::SchoolProfile* response) override;
  grpc::Status GetSchoolProfile(grpc::ServerContext* context,
                                const breach::v1::GetSchoolProfileRequest* request,
                                breach::v1::SchoolProfile* response) override;
  grpc::Status ListDeadlines(grpc::ServerContext* context,
                             const breach::v1::ListDeadlinesRequest* request,
                             breach::v1::ListDeadlinesResponse* response) override;
  grpc::Status PrepareDraft(grpc::ServerContext* context,
                            const breach::v1::PrepareDraftRequest* request,
                            breach::v1::Draft* response) override;
  grpc::Status GetDraft(grpc::ServerContext* context, const breach::v1::GetDraftRequest* request,
                        breach::v1::Draft* response) override;
  grpc::Status ApproveDraft(grpc::ServerContext* context,
                            const breach::v1::ApproveDraftRequest* request,
                            breach::v1::Draft* response) override;
  grpc::Status SendNotification(grpc::ServerContext* context,
                                const breach::v1::SendNotificationRequest* request,
                                breach::v1::NotificationStatus* response) override;
  grpc::Status GetNotificationStatus(grpc::ServerContext* context,
                                     const breach::v1::GetNotificationStatusRequest* request,
                                     breach::v1::NotificationStatus* response) override;
  grpc::Status RecordReceipt(grpc::ServerContext* context,
                             const breach::v1::RecordReceiptRequest* request,
                             breach::v1::Receipt* response) override;
  grpc::Status GetPublicNotice(grpc::ServerContext* context,
                               const breach::v1::GetPublicNoticeRequest* request,
                               breach::v1::PublicNotice* response) override;

 private:
  // The case of a breach the caller may take `action` on; NOT_FOUND for an unknown breach and
  // for another school's.
  absl::StatusOr<breach::v1::NotificationCase> FindAuthorized(const auth::Principal& principal,
                                                              const std::string& breach_id,
                                                              auth::Action action,
                                                              const std::string& method);
  absl::StatusOr<breach::v1::Draft> Prepare(const auth::Principal& principal,
                                            const breach::v1::PrepareDraftRequest& request);
  absl::StatusOr<breach::v1::Draft> Approve(const auth::Principal& principal,
                                            const breach::v1::ApproveDraftRequest& request);
  absl::Status Send(const auth::Principal& principal,
                    const breach::v1::SendNotificationRequest& request);
  absl::StatusOr<breach::v1::Receipt> Receive(const auth::Principal& principal,
                                              const breach::v1::RecordReceiptRequest& request);
  // Who receives an approved draft of `duty`, over which channel.
  absl::StatusOr<std::vector<std::pair<breach::v1::Channel, breach::v1::Recipient>>> RecipientsOf(
      const breach::v1::NotificationCase& notification_case, breach::v1::DutyKind duty,
      const std::string& recipients_csv);
  absl::Status FillStatus(const breach::v1::NotificationCase& notification_case,
                          breach::v1::NotificationStatus& status);
  absl::Status AppendChange(const auth::Principal& principal, const std::string& causation_id,
                            StreamChange change);

  NotificationDeps deps_;
  service::ReadRecorder reads_;  // draft reads, durable before the answer
  service::RpcGuard guard_;
  service::PersonalDataGate gate_;  // the provider reads metadata only, unless let in
  StripedMutex<> request_locks_;  // taken before a breach lock
};

}  // namespace breachd::notification
