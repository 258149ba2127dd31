#include "libs/privacy/tenant_keeper.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

absl::StatusOr<std::vector<std::string>> TenantKeeper::Record(
    const auth::Principal& actor, const std::string& tenant,
    const google::protobuf::Message& event, std::vector<eventstore::ProjectionWrite> rows) {
  std::vector<std::string> recorded;
  for (const auto& [name, hosted] : stores_) {
    eventstore::AppendRequest append;
    append.stream_id = service::AuditStreamId(tenant);
    append.events.push_back(service::MakeEvent({name, actor, "", ""}, tenant, clock_.Now(), event));
    if (name == home_) append.projection = rows;
    RETURN_IF_ERROR(hosted.store->Append(std::move(append)).status());
    if (hosted.on_append) hosted.on_append();
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
  ASSIGN_OR_RETURN(std::vector<std::string> keys, keyring_.LiveKeys(ReadsPrefix(tenant)));
  keys.insert(keys.begin(), SchoolKeyId(tenant));
  for (const std::string& key : keys) {
    RETURN_IF_ERROR(keyring_.Destroy(key, now, absl::StrCat(trigger, " by ", actor.subject)));
  }
  breach::v1::TenantErased erased;
  erased.set_tenant(tenant);
  for (const std::string& key : keys) erased.add_destroyed_keys(key);
  erased.set_reason(reason);
  erased.set_trigger(trigger);
  ASSIGN_OR_RETURN(std::vector<std::string> recorded, Record(actor, tenant, erased, {}));
  log::Warn("school erased: its keys are destroyed",
            {{"tenant", tenant}, {"by", actor.subject}, {"trigger", trigger}});

  breach::v1::EraseTenantResponse response;
  response.set_tenant(tenant);
  *response.mutable_destroyed_keys() = erased.destroyed_keys();
  *response.mutable_erased_at() = ProtoFromTime(now);
  for (std::string& name : recorded) response.add_recorded_in(std::move(name));
  return response;
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
    ASSIGN_OR_RETURN(std::vector<std::string> live, keyring_.LiveKeys(ReadsPrefix(code)));
    ASSIGN_OR_RETURN(std::vector<std::string> school, keyring_.LiveKeys(SchoolKeyId(code)));
    for (const std::string& key : school) {
      if (key == SchoolKeyId(code)) row.add_live_keys(key);
    }
    for (std::string& key : live) row.add_live_keys(std::move(key));
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
    RETURN_IF_ERROR(Record(RetentionActor(), tenant, pruned, {}).status());
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
