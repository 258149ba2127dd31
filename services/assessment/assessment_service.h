// gRPC adapter of the assessment service: Allegato B in, the engine's severity, classification
// and art. 33/34 decisions out as events; human overrides; versions. The decisions are in
// assessment_decisions.h, the rows in assessment_schema.h, the bus side in assessment_consumer.h.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "breach/v1/assessment_service.grpc.pb.h"
#include "libs/auth/identity_store.h"
#include "libs/common/clock.h"
#include "libs/common/striped_mutex.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/field_cipher.h"
#include "libs/regulation/engine.h"
#include "libs/service/personal_data.h"
#include "libs/service/rpc_guard.h"

namespace breachd::assessment {

inline constexpr char kServiceName[] = "assessment";

class AssessmentService final : public breach::v1::AssessmentService::Service {
 public:
  // `breach_locks` is shared with the consumer: one change of a breach's case at a time.
  AssessmentService(eventstore::EventStore& store, const auth::IdentityStore& identities,
                    const Clock& clock, std::function<void()> on_append,
                    std::shared_ptr<const regulation::RegulationEngine> engine,
                    StripedMutex<>& breach_locks, privacy::FieldCipher& cipher);

  grpc::Status SubmitAssessment(grpc::ServerContext* context,
                                const breach::v1::SubmitAssessmentRequest* request,
                                breach::v1::AssessmentVersion* response) override;
  grpc::Status OverrideDuty(grpc::ServerContext* context,
                            const breach::v1::OverrideDutyRequest* request,
                            breach::v1::AssessmentVersion* response) override;
  grpc::Status DecideDuties(grpc::ServerContext* context,
                            const breach::v1::DecideDutiesRequest* request,
                            breach::v1::AssessmentVersion* response) override;
  grpc::Status GetAssessment(grpc::ServerContext* context,
                             const breach::v1::GetAssessmentRequest* request,
                             breach::v1::AssessmentVersion* response) override;
  grpc::Status ListAssessmentVersions(grpc::ServerContext* context,
                                      const breach::v1::ListAssessmentVersionsRequest* request,
                                      breach::v1::AssessmentHistory* response) override;

 private:
  absl::StatusOr<breach::v1::AssessmentVersion> Submit(
      const auth::Principal& principal, const breach::v1::SubmitAssessmentRequest& request);
  absl::StatusOr<breach::v1::AssessmentVersion> Override(
      const auth::Principal& principal, const breach::v1::OverrideDutyRequest& request);
  absl::StatusOr<breach::v1::AssessmentVersion> Decide(
      const auth::Principal& principal, const breach::v1::DecideDutiesRequest& request);
  // The case of a breach the caller may take `action` on; NOT_FOUND for an unknown breach and
  // for another school's.
  absl::StatusOr<breach::v1::AssessmentCase> FindAuthorized(const auth::Principal& principal,
                                                            const std::string& breach_id,
                                                            auth::Action action,
                                                            const std::string& method);
  // A stored version with its free text opened (docs/security.md, "What is sealed").
  absl::StatusOr<breach::v1::AssessmentVersion> ReadVersion(const std::string& breach_id,
                                                            uint32_t version);
  // The row of `version`, its free text sealed with the school's key.
  absl::StatusOr<eventstore::ProjectionWrite> VersionRow(breach::v1::AssessmentVersion version);
  // Appends `events` (their free text sealed here) to the breach's stream at the version read
  // under the lock, with the rows.
  absl::Status AppendChange(const auth::Principal& principal, const std::string& causation_id,
                            const breach::v1::AssessmentCase& assessment_case,
                            uint64_t stream_version,
                            const std::vector<std::unique_ptr<google::protobuf::Message>>& events,
                            std::vector<eventstore::ProjectionWrite> rows);

  eventstore::EventStore& store_;
  privacy::FieldCipher& cipher_;  // free text is sealed before anything is appended
  const Clock& clock_;
  std::function<void()> on_append_;
  service::RpcGuard guard_;
  service::PersonalDataGate gate_;  // the provider reads metadata only, unless let in
  std::shared_ptr<const regulation::RegulationEngine> engine_;
  StripedMutex<>& breach_locks_;
  StripedMutex<> request_locks_;  // taken before breach_locks_
};

}  // namespace breachd::assessment
