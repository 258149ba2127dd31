#include "libs/privacy/tenant_keeper.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/ids.h"
#include "libs/common/log.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/privacy/field_cipher.h"
#include "libs/service/event_factory.h"
#include "libs/service/rpc_guard.h"

namespace breachd::privacy {
namespace {

constexpr char kRetentionPrefix[] = "tenant-retention/";

std::string RetentionKey(const std::string& tenant) { return absl::StrCat(kRetentionPrefix, tenant); }

// Every key of a school: its data key and its read-record months.
std::string ReadsPrefix(const std::string& tenant) { return absl::StrCat("reads.", tenant, "."); }

// Whether `key` is one of the school's keys: its data key, a rotated generation of it, or a
// month of its read records.
bool IsKeyOf(const std::string& tenant, const std::string& key) {
  const std::string school = SchoolKeyId(tenant);
  return key == school || absl::StartsWith(key, absl::StrCat(school, ".")) ||
         absl::StartsWith(key, ReadsPrefix(tenant));
}

// Every key of the school that an erasure destroys: its data key (always, so that a tombstone
// keeps it from being made again), the rotated generations still live, its read-record months.
absl::StatusOr<std::vector<std::string>> SchoolKeys(Keyring& keyring, const std::string& tenant) {
  std::vector<std::string> keys = {SchoolKeyId(tenant)};
  for (const std::string& prefix : {absl::StrCat(SchoolKeyId(tenant), "."), ReadsPrefix(tenant)}) {
    ASSIGN_OR_RETURN(std::vector<std::string> live, keyring.LiveKeys(prefix));
    keys.insert(keys.end(), live.begin(), live.end());
  }
  return keys;
}

// The service a store learned an act from: the original's, however many copies it went through.
template <typename Act>  // TenantErased or ReadRecordsPruned
void SetFollowedFrom(Act& act, const std::string& source) {
  if (act.followed_from().empty()) act.set_followed_from(source);
}

}  // namespace

auth::Principal RetentionActor() { return {"system:retention", auth::kProviderTenant, {"system"}}; }

absl::Status ValidateTenantCode(const std::string& tenant, const std::string& field) {
  const bool ok = !tenant.empty() && tenant.size() <= 32 && tenant != auth::kProviderTenant &&
                  std::all_of(tenant.begin(), tenant.end(),
                              [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be a school code (1 to 32 letters and digits)"));
  }
  return absl::OkStatus();
}

TenantKeeper::TenantKeeper(Keyring& keyring, std::map<std::string, KeeperStore> stores,
                           const Clock& clock, RetentionPolicy policy)
    : keyring_(keyring), stores_(std::move(stores)), clock_(clock), policy_(policy) {
  home_ = stores_.count("intake") ? "intake" : stores_.begin()->first;
}

TenantKeeper::~TenantKeeper() {
  std::unique_ptr<Alarm> alarm;
  std::unique_ptr<Alarm> previous;
  {
    absl::MutexLock lock(&alarm_mu_);
    stopping_ = true;
    alarm = std::move(alarm_);
    previous = std::move(previous_);
  }
  if (alarm) alarm->Cancel();
}

absl::Status TenantKeeper::RecordIn(const std::string& name, const auth::Principal& actor,
                                    const std::string& tenant,
                                    const google::protobuf::Message& payload,
                                    std::vector<eventstore::ProjectionWrite> rows,
                                    const std::string& event_id_base) {
  const KeeperStore& hosted = stores_.at(name);
  eventstore::AppendRequest append;
  append.stream_id = service::AuditStreamId(tenant);
  breach::v1::EventEnvelope event =
      service::MakeEvent({name, actor, "", ""}, tenant, clock_.Now(), payload);
  if (!event_id_base.empty()) event.set_event_id(DerivedUlid(event_id_base, name));
  append.events.push_back(std::move(event));
  append.projection = std::move(rows);
  // A derived id already stored is an idempotent retry: OK, nothing appended.
  ASSIGN_OR_RETURN(eventstore::AppendResult result, hosted.store->Append(std::move(append)));
  if (!result.duplicate && hosted.on_append) hosted.on_append();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> TenantKeeper::Record(
    const auth::Principal& actor, const std::string& tenant,
    const google::protobuf::Message& event, std::vector<eventstore::ProjectionWrite> rows,
    const std::string& event_id_base) {
  std::vector<std::string> recorded;
  for (const auto& [name, hosted] : stores_) {
    RETURN_IF_ERROR(RecordIn(name, actor, tenant, event,
                             name == home_ ? rows : std::vector<eventstore::ProjectionWrite>{},
                             event_id_base));
    recorded.push_back(name);
  }
  return recorded;
}

absl::StatusOr<breach::v1::EraseTenantResponse> TenantKeeper::Erase(
    const auth::Principal& actor, const std::string& tenant, const std::string& reason,
    const std::string& trigger) {
  RETURN_IF_ERROR(ValidateTenantCode(tenant, "tenant"));
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_.Now();
  // The irreversible act first; recording it after means a failed record is redone by asking
  // again (destroying is idempotent), never an erasure on record that did not happen.
  ASSIGN_OR_RETURN(std::vector<std::string> keys, SchoolKeys(keyring_, tenant));
  for (const std::string& key : keys) {
    RETURN_IF_ERROR(keyring_.Destroy(key, now, absl::StrCat(trigger, " by ", actor.subject)));
  }
  breach::v1::TenantErased erased;
  erased.set_tenant(tenant);
  for (const std::string& key : keys) erased.add_destroyed_keys(key);
  erased.set_reason(reason);
  erased.set_trigger(trigger);
  // One id for the act, so that every store (here, or in a process that follows it) records
  // it once.
  erased.set_erasure_id(NewUlid(now));
  ASSIGN_OR_RETURN(std::vector<std::string> recorded,
                   Record(actor, tenant, erased, {}, erased.erasure_id()));
  log::Warn("school erased: its keys are destroyed",
            {{"tenant", tenant}, {"by", actor.subject}, {"trigger", trigger}});

  breach::v1::EraseTenantResponse response;
  response.set_tenant(tenant);
  *response.mutable_destroyed_keys() = erased.destroyed_keys();
  *response.mutable_erased_at() = ProtoFromTime(now);
  for (std::string& name : recorded) response.add_recorded_in(std::move(name));
  return response;
}

absl::StatusOr<breach::v1::RotateTenantKeyResponse> TenantKeeper::RotateKey(
    const auth::Principal& actor, const std::string& tenant, const std::string& reason) {
  RETURN_IF_ERROR(ValidateTenantCode(tenant, "tenant"));
  absl::MutexLock lock(&mu_);
  const std::string base = SchoolKeyId(tenant);
  ASSIGN_OR_RETURN(const std::string previous, keyring_.CurrentKeyId(base));
  ASSIGN_OR_RETURN(const std::string next, keyring_.Rotate(base));
  breach::v1::TenantKeyRotated rotated;
  rotated.set_tenant(tenant);
  rotated.set_previous_key(previous);
  rotated.set_new_key(next);
  rotated.set_reason(reason);
  ASSIGN_OR_RETURN(std::vector<std::string> recorded, Record(actor, tenant, rotated, {}));
  log::Info("school data key rotated",
            {{"tenant", tenant}, {"by", actor.subject}, {"key", next}});
  breach::v1::RotateTenantKeyResponse response;
  response.set_tenant(tenant);
  response.set_previous_key(previous);
  response.set_new_key(next);
  *response.mutable_rotated_at() = ProtoFromTime(clock_.Now());
  for (std::string& name : recorded) response.add_recorded_in(std::move(name));
  return response;
}

absl::Status TenantKeeper::Follow(const std::string& store_name,
                                  const breach::v1::EventEnvelope& event) {
  if (event.source() == store_name || !ValidateTenantCode(event.tenant(), "tenant").ok()) {
    return absl::OkStatus();
  }
  const std::string& tenant = event.tenant();
  breach::v1::TenantErased erased;
  if (event.type() == breach::v1::TenantErased::descriptor()->full_name() &&
      event.payload().UnpackTo(&erased)) {
    // Only the erased school's keys, whatever a message says.
    SetFollowedFrom(erased, event.source());
    return FollowDestruction(store_name, event, erased.destroyed_keys(), erased.erasure_id(),
                             [&](const std::string& key) { return IsKeyOf(tenant, key); },
                             erased);
  }
  breach::v1::ReadRecordsPruned pruned;
  if (event.type() == breach::v1::ReadRecordsPruned::descriptor()->full_name() &&
      event.payload().UnpackTo(&pruned)) {
    // Only the school's read-record months: a pruning never takes its data key.
    SetFollowedFrom(pruned, event.source());
    return FollowDestruction(
        store_name, event, pruned.destroyed_keys(), pruned.pruning_id(),
        [&](const std::string& key) { return absl::StartsWith(key, ReadsPrefix(tenant)); },
        pruned);
  }
  return absl::OkStatus();
}

absl::Status TenantKeeper::FollowDestruction(
    const std::string& store_name, const breach::v1::EventEnvelope& event,
    const google::protobuf::RepeatedPtrField<std::string>& keys, const std::string& act_id,
    const std::function<bool(const std::string&)>& may_destroy,
    const google::protobuf::Message& copy) {
  absl::MutexLock lock(&mu_);
  for (const std::string& key : keys) {
    if (!may_destroy(key) || keyring_.IsDestroyed(key)) continue;
    RETURN_IF_ERROR(keyring_.Destroy(
        key, clock_.Now(), absl::StrCat(event.type(), " followed from ", event.source())));
  }
  // An act recorded before act ids existed was recorded in every store of the process that
  // carried it out; its keys are still destroyed here.
  if (act_id.empty()) return absl::OkStatus();
  auth::Principal actor{event.actor().subject(), event.actor().tenant(), {event.actor().role()}};
  return RecordIn(store_name, actor, event.tenant(), copy, {}, act_id);
}

absl::StatusOr<breach::v1::TenantRetention> TenantKeeper::SetContractEnd(
    const auth::Principal& actor, const std::string& tenant, std::optional<absl::Time> end) {
  RETURN_IF_ERROR(ValidateTenantCode(tenant, "tenant"));
  absl::MutexLock lock(&mu_);
  breach::v1::ContractEndSet set;
  set.set_tenant(tenant);
  breach::v1::TenantRetention row;
  row.set_tenant(tenant);
  if (end.has_value()) {
    *set.mutable_contract_end() = ProtoFromTime(*end);
    *row.mutable_contract_end() = ProtoFromTime(*end);
  }
  // A cleared contract end is an empty row (ScanProjection skips nothing, ContractEnds does).
  RETURN_IF_ERROR(Record(actor, tenant, set, {{RetentionKey(tenant), row.SerializeAsString()}})
                      .status());
  ASSIGN_OR_RETURN(std::vector<breach::v1::TenantRetention> standing, Retention(tenant));
  return standing.front();
}

absl::StatusOr<std::map<std::string, absl::Time>> TenantKeeper::ContractEnds() {
  std::map<std::string, absl::Time> ends;
  absl::Status bad;
  RETURN_IF_ERROR(stores_.at(home_).store->ScanProjection(
      kRetentionPrefix, "", [&](const std::string& key, const std::string& value) {
        breach::v1::TenantRetention row;
        if (!row.ParseFromString(value)) {
          bad = absl::DataLossError(absl::StrCat("row ", key, " is unreadable"));
          return false;
        }
        if (row.has_contract_end()) ends[row.tenant()] = TimeFromProto(row.contract_end());
        return true;
      }));
  RETURN_IF_ERROR(bad);
  return ends;
}

absl::StatusOr<std::vector<breach::v1::TenantRetention>> TenantKeeper::Retention(
    const std::string& tenant) {
  if (!tenant.empty()) RETURN_IF_ERROR(ValidateTenantCode(tenant, "tenant"));
  ASSIGN_OR_RETURN(auto ends, ContractEnds());
  std::set<std::string> tenants;
  if (!tenant.empty()) {
    tenants.insert(tenant);
  } else {
    for (const auto& [code, end] : ends) tenants.insert(code);
  }
  std::vector<breach::v1::TenantRetention> out;
  for (const std::string& code : tenants) {
    breach::v1::TenantRetention& row = out.emplace_back();
    row.set_tenant(code);
    if (auto it = ends.find(code); it != ends.end()) {
      *row.mutable_contract_end() = ProtoFromTime(it->second);
      *row.mutable_erase_due_at() = ProtoFromTime(EraseDueAt(policy_, it->second));
    }
    row.set_erased(keyring_.IsDestroyed(SchoolKeyId(code)));
    for (const std::string& prefix : {SchoolKeyId(code), ReadsPrefix(code)}) {
      ASSIGN_OR_RETURN(std::vector<std::string> live, keyring_.LiveKeys(prefix));
      for (std::string& key : live) {
        if (IsKeyOf(code, key)) row.add_live_keys(std::move(key));
      }
    }
  }
  return out;
}

absl::Status TenantKeeper::RunRetention() {
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(auto ends, ContractEnds());
  std::set<std::string> erased;
  for (const auto& [code, end] : ends) {
    if (keyring_.IsDestroyed(SchoolKeyId(code))) erased.insert(code);
  }
  ASSIGN_OR_RETURN(std::vector<std::string> reads, keyring_.LiveKeys("reads."));
  const RetentionPlan plan = PlanRetention(policy_, now, ends, erased, reads);
  for (const std::string& tenant : plan.erase_tenants) {
    RETURN_IF_ERROR(Erase(RetentionActor(), tenant,
                          absl::StrCat("retention: ", policy_.erase_after_contract_months,
                                       " months after the contract ended"),
                          "retention")
                        .status());
  }
  // Pruned read keys, one event per school.
  std::map<std::string, std::vector<std::string>> by_tenant;
  for (const std::string& key : plan.prune_read_keys) {
    const std::string rest = key.substr(sizeof("reads.") - 1);
    by_tenant[rest.substr(0, rest.find('.'))].push_back(key);
  }
  absl::MutexLock lock(&mu_);
  for (const auto& [tenant, keys] : by_tenant) {
    breach::v1::ReadRecordsPruned pruned;
    pruned.set_tenant(tenant);
    pruned.set_retention_months(policy_.read_record_months);
    for (const std::string& key : keys) {
      RETURN_IF_ERROR(keyring_.Destroy(key, now, "retention: read records past their time"));
      pruned.add_destroyed_keys(key);
    }
    // Like an erasure: one id, so every store (here or in a process that follows it) records
    // the pruning once.
    pruned.set_pruning_id(NewUlid(now));
    RETURN_IF_ERROR(Record(RetentionActor(), tenant, pruned, {}, pruned.pruning_id()).status());
  }
  return absl::OkStatus();
}

void TenantKeeper::Start(absl::Duration every) {
  every_ = every;
  if (absl::Status ran = RunRetention(); !ran.ok()) {
    log::Error("retention run failed", {{"error", std::string(ran.message())}});
  }
  ScheduleNext();
}

void TenantKeeper::ScheduleNext() {
  absl::MutexLock lock(&alarm_mu_);
  if (stopping_) return;
  // The alarm running now (if this is called from it) is kept until the next one fires.
  previous_ = std::move(alarm_);
  alarm_ = clock_.ScheduleAt(clock_.Now() + every_, [this] {
    if (absl::Status ran = RunRetention(); !ran.ok()) {
      log::Error("retention run failed", {{"error", std::string(ran.message())}});
    }
    ScheduleNext();
  });
}

}  // namespace breachd::privacy
