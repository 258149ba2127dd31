// gRPC adapter of provider-wide incidents (hosted by the intake module), and the fan-out
// worker that opens one breach per affected school. The decisions are in incident_planning.h.
//
// CreateIncident records the incident (IncidentCreated on "incident-<id>" with its row, one
// synced append) and answers; the worker then fans it out in batches of atomic multi-stream
// writes. UpdateIncident records an update (IncidentUpdated, the update's row, the incident row
// as it becomes) and answers; the worker then opens the cases of schools it added (the same
// fan-out) and carries it to the open cases as amendments, in batches too. At every start the
// worker resumes any incident whose cases are not all created and any update not carried to
// every case, from their progress rows, so a crash in the middle misses no school and changes
// none twice.
#pragma once

#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "breach/v1/incident.grpc.pb.h"
#include "libs/auth/identity_store.h"
#include "libs/common/clock.h"
#include "libs/common/striped_mutex.h"
#include "libs/common/wake_signal.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/fellow_forwarder.h"
#include "libs/privacy/field_cipher.h"
#include "libs/service/rpc_guard.h"

namespace breachd::intake {

// Opens the cases of unfinished incidents and carries their updates to the cases, in a thread
// of its own.
class FanOutWorker {
 public:
  // `pause` between two batches: zero but in tests that stop breachd mid-fan-out.
  // `breach_locks`: the intake's per-breach locks, taken while a batch amends its cases.
  // `cipher` opens the incident's facts and seals each school's copy with its key.
  // `ownership`: set with several intake instances; every case is opened in a partition this
  // instance holds, so it stays with the instance that opened it (docs/scaling.md).
  FanOutWorker(eventstore::EventStore& store, StripedMutex<>& breach_locks, const Clock& clock,
               std::function<void()> on_append, privacy::FieldCipher& cipher,
               absl::Duration pause = absl::ZeroDuration(),
               const bus::PartitionOwnership* ownership = nullptr);
  ~FanOutWorker();  // stops

  void Start();  // resumes every unfinished incident, then waits for Poke
  void Poke();   // a new incident was recorded
  void Stop();

  // Fans out every unfinished incident and carries every unfinished update now, in the
  // caller's thread (tests, and the worker).
  absl::Status RunOnce();

  // Held by whoever rewrites an incident's row (a batch of the fan-out, UpdateIncident), so
  // neither overwrites the other's change with a stale copy.
  absl::Mutex& incident_row_mutex() { return incident_row_mu_; }

 private:
  absl::Status FanOut(const breach::v1::Incident& incident);
  absl::Status CarryUpdates(const std::string& incident_id);
  absl::Status CarryUpdate(const std::string& incident_id, breach::v1::IncidentUpdate update);
  bool Stopping();
  void Loop();

  eventstore::EventStore& store_;
  StripedMutex<>& breach_locks_;
  const Clock& clock_;
  std::function<void()> on_append_;
  privacy::FieldCipher& cipher_;
  absl::Duration pause_;
  const bus::PartitionOwnership* ownership_;
  WakeSignal wake_{/*poked=*/true};  // the first round resumes what a crash left
  absl::Mutex run_mu_;  // one fan-out round at a time
  absl::Mutex incident_row_mu_;
  std::thread thread_;
};

class IncidentService final : public breach::v1::IncidentService::Service {
 public:
  // `fellows`: the other intake instances. An incident lives with the instance that created
  // it (its id in one of its partitions), which opens every case; requests about it go there.
  // ListIncidents lists this instance's incidents.
  IncidentService(eventstore::EventStore& store, const auth::IdentityStore& identities,
                  const Clock& clock, std::function<void()> on_append, FanOutWorker& worker,
                  privacy::FieldCipher& cipher, service::Fellows fellows = {});

  grpc::Status CreateIncident(grpc::ServerContext* context,
                              const breach::v1::CreateIncidentRequest* request,
                              breach::v1::Incident* response) override;
  grpc::Status GetIncident(grpc::ServerContext* context,
                           const breach::v1::GetIncidentRequest* request,
                           breach::v1::IncidentStatus* response) override;
  grpc::Status ListIncidents(grpc::ServerContext* context,
                             const breach::v1::ListIncidentsRequest* request,
                             breach::v1::ListIncidentsResponse* response) override;
  grpc::Status UpdateIncident(grpc::ServerContext* context,
                              const breach::v1::UpdateIncidentRequest* request,
                              breach::v1::IncidentUpdate* response) override;

  absl::StatusOr<breach::v1::Incident> Create(const auth::Principal& principal,
                                              const breach::v1::CreateIncidentRequest& request);
  absl::StatusOr<breach::v1::IncidentUpdate> Update(
      const auth::Principal& principal, const breach::v1::UpdateIncidentRequest& request);
  absl::StatusOr<breach::v1::IncidentStatus> Status(const breach::v1::GetIncidentRequest& request);

 private:
  eventstore::EventStore& store_;
  const Clock& clock_;
  std::function<void()> on_append_;
  // The incident's updates, each with its progress, into `status`.
  absl::Status AddUpdates(const std::string& incident_id, breach::v1::IncidentStatus& status);
  // An incident or update as stored, opened for the provider's answer.
  template <typename Row>
  Row Opened(Row row) {
    cipher_.OpenPersonalData(row);
    return row;
  }

  FanOutWorker& worker_;
  // The incident's texts are sealed at rest with the provider's key (its own record).
  privacy::FieldCipher& cipher_;
  service::RpcGuard guard_;
  // One CreateIncident or UpdateIncident at a time (request ids, directory reads).
  absl::Mutex create_mutex_;
  const bus::PartitionOwnership* ownership_;
  using Fellow = breach::v1::IncidentService::StubInterface;
  service::FellowForwarder<breach::v1::IncidentService> forwarder_;
};

// The routing key of a new incident: its idempotency key, so that a retry reaches the instance
// that recorded the first attempt (empty without a request id: refused where it lands).
std::string IncidentRouteKey(const breach::v1::CreateIncidentRequest& request);

}  // namespace breachd::intake
