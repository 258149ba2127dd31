// Executes what happens to a school's keys: erasure on an operator's word (EraseTenant) or when
// retention says so, pruning of old read-record keys, and the contract end retention counts
// from. Every act is recorded as an event on the school's audit stream ("audit-<CODE>") of every
// hosted store, so each service's chain holds it (and the SIEM shows it); the contract ends are
// rows of the first hosted store ("tenant-retention/<CODE>").
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "breach/v1/tenant.pb.h"
#include "libs/auth/principal.h"
#include "libs/common/clock.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/keyring.h"
#include "libs/privacy/retention.h"

namespace breachd::privacy {

// One hosted store, as the keeper records into it.
struct KeeperStore {
  eventstore::EventStore* store = nullptr;  // not owned
  std::function<void()> on_append;          // wakes its relay
};

class TenantKeeper {
 public:
  // `stores`: hosted service name -> store (at least one); the first holds the contract ends.
  TenantKeeper(Keyring& keyring, std::map<std::string, KeeperStore> stores, const Clock& clock,
               RetentionPolicy policy = {});
  ~TenantKeeper();

  // Destroys every key of `tenant` and records TenantErased (`trigger`: "operator" or
  // "retention"). Erasing an erased school again destroys what is left and records it again.
  absl::StatusOr<breach::v1::EraseTenantResponse> Erase(const auth::Principal& actor,
                                                        const std::string& tenant,
                                                        const std::string& reason,
                                                        const std::string& trigger);
  // Makes a new data key the school's current one (Keyring::Rotate) and records
  // TenantKeyRotated. FAILED_PRECONDITION for an erased school.
  absl::StatusOr<breach::v1::RotateTenantKeyResponse> RotateKey(const auth::Principal& actor,
                                                                const std::string& tenant,
                                                                const std::string& reason);
  // What a consumer of `store_name` does with an event of another service: for a TenantErased
  // or a ReadRecordsPruned recorded elsewhere (another process, over the bus or a catch-up read
  // of its store), destroys the listed keys in this keyring too (nothing left to do when the
  // keyring is shared) and records the act in that store once (`followed_from`). Other events:
  // nothing.
  absl::Status Follow(const std::string& store_name, const breach::v1::EventEnvelope& event);

  // Records (or, with nullopt, clears) the school's contract end.
  absl::StatusOr<breach::v1::TenantRetention> SetContractEnd(const auth::Principal& actor,
                                                             const std::string& tenant,
                                                             std::optional<absl::Time> end);
  // The school's standing, or ("" tenant) every school with a contract end or an erasure.
  absl::StatusOr<std::vector<breach::v1::TenantRetention>> Retention(const std::string& tenant);

  // Carries out what the policy says is due at the clock's now: erases schools, prunes read keys.
  absl::Status RunRetention();
  // Runs RunRetention now and then every `every` on the clock, until destroyed.
  void Start(absl::Duration every = absl::Hours(24));

  const RetentionPolicy& policy() const { return policy_; }

 private:
  absl::StatusOr<std::map<std::string, absl::Time>> ContractEnds();
  // Appends `event` to the school's audit stream of every hosted store (`rows` in the home
  // store). A non-empty `event_id_base` gives each store's event the id
  // DerivedUlid(event_id_base, store), so that one act is recorded once per store however
  // often it is recorded or followed.
  absl::StatusOr<std::vector<std::string>> Record(const auth::Principal& actor,
                                                  const std::string& tenant,
                                                  const google::protobuf::Message& event,
                                                  std::vector<eventstore::ProjectionWrite> rows,
                                                  const std::string& event_id_base = "");
  // The event `payload` on the school's audit stream of `name`'s store.
  absl::Status RecordIn(const std::string& name, const auth::Principal& actor,
                        const std::string& tenant, const google::protobuf::Message& payload,
                        std::vector<eventstore::ProjectionWrite> rows,
                        const std::string& event_id_base);
  // Follow's common part: destroys the `keys` that `may_destroy` allows (only the school's
  // own), then records `copy` in `store_name` with an id derived from `act_id` (nothing when
  // the act has no id: it predates them).
  absl::Status FollowDestruction(const std::string& store_name,
                                 const breach::v1::EventEnvelope& event,
                                 const google::protobuf::RepeatedPtrField<std::string>& keys,
                                 const std::string& act_id,
                                 const std::function<bool(const std::string&)>& may_destroy,
                                 const google::protobuf::Message& copy);
  void ScheduleNext();

  Keyring& keyring_;
  std::map<std::string, KeeperStore> stores_;
  std::string home_;  // the store holding the contract ends
  const Clock& clock_;
  const RetentionPolicy policy_;
  absl::Mutex mu_;  // one erasure or retention run at a time
  absl::Duration every_ = absl::ZeroDuration();
  absl::Mutex alarm_mu_;
  std::unique_ptr<Alarm> alarm_ ABSL_GUARDED_BY(alarm_mu_);
  std::unique_ptr<Alarm> previous_ ABSL_GUARDED_BY(alarm_mu_);
  bool stopping_ ABSL_GUARDED_BY(alarm_mu_) = false;
};

// The principal the retention job acts as.
auth::Principal RetentionActor();

// INVALID_ARGUMENT naming `field` unless `tenant` is a plausible school code (1..32 of
// [A-Za-z0-9]).
absl::Status ValidateTenantCode(const std::string& tenant, const std::string& field);

}  // namespace breachd::privacy
