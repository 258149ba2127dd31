#include "libs/service/admin_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "libs/common/ids.h"
#include "libs/common/log.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/eventstore/signing_key.h"

namespace breachd::service {
namespace {
constexpr char kVerifyMethod[] = "/breach.v1.AdminService/VerifyChains";
constexpr char kDeliveryMethod[] = "/breach.v1.AdminService/GetDeliveryStatus";
constexpr char kListParkedMethod[] = "/breach.v1.AdminService/ListParked";
constexpr char kRetryParkedMethod[] = "/breach.v1.AdminService/RetryParked";
constexpr char kBackupStoresMethod[] = "/breach.v1.AdminService/BackupStores";
constexpr char kRebuildMethod[] = "/breach.v1.AdminService/RebuildProjection";

constexpr char kCheckpointsMethod[] = "/breach.v1.AdminService/GetCheckpoints";

bool IsParked(const std::vector<eventstore::ParkedEvent>& parked, uint64_t position) {
  for (const eventstore::ParkedEvent& event : parked) {
    if (event.position == position) return true;
  }
  return false;
}
}  // namespace

AdminService::AdminService(const std::map<std::string, HostedStore>& stores,
                           const auth::IdentityStore& identities, const Clock& clock) {
  for (const auto& [name, hosted] : stores) {
    stores_[name] = Guarded{hosted.store, std::make_unique<RpcGuard>(name, identities, *hosted.store,
                                                                     clock, hosted.on_append)};
  }
}

grpc::Status AdminService::VerifyChains(grpc::ServerContext* context,
                                        const breach::v1::VerifyChainsRequest* request,
                                        breach::v1::VerifyChainsResponse* response) {
  return AnyGuard().Serve(*context, [&](const auth::Principal& principal) {
    return Verify(principal, request->breach_id(), response);
  });
}

grpc::Status AdminService::WhoAmI(grpc::ServerContext* context, const breach::v1::WhoAmIRequest*,
                                  breach::v1::WhoAmIResponse* response) {
  return AnyGuard().Serve(*context, [&](const auth::Principal& principal) {
    response->set_subject(principal.subject);
    response->set_tenant(principal.tenant);
    for (const std::string& role : principal.roles) response->add_roles(role);
    for (const std::string& service : hosted_services_) response->add_services(service);
    for (const std::string& data : regulation_data_) response->add_regulation_data(data);
    return absl::OkStatus();
  });
}

grpc::Status AdminService::GetDeliveryStatus(grpc::ServerContext* context,
                                             const breach::v1::GetDeliveryStatusRequest*,
                                             breach::v1::GetDeliveryStatusResponse* response) {
  return AnyGuard().Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(
        AnyGuard().Authorize(principal, auth::Action::kReadDeliveryStatus, "", kDeliveryMethod));
    return delivery_status_ ? delivery_status_(response) : absl::OkStatus();
  });
}

absl::Status AdminService::AuthorizeVerify(const auth::Principal& principal,
                                           const std::string& breach_id) {
  if (breach_id.empty()) {
    // Every store would be read: each records the refusal on its own audit stream.
    absl::Status decision;
    for (const auto& [name, hosted] : stores_) {
      decision = hosted.guard->Authorize(principal, auth::Action::kVerifyStore, "", kVerifyMethod);
      if (decision.ok()) return decision;
    }
    return decision;
  }
  if (!IsUlid(breach_id)) return absl::InvalidArgumentError("breach_id is not a breach id");
  const absl::Status no_breach = absl::NotFoundError(absl::StrCat("no breach ", breach_id));
  ASSIGN_OR_RETURN(Owner owner, OwnerOf(breach_id));
  if (owner.guard == nullptr) return no_breach;
  return owner.guard->AuthorizeBreach(principal, auth::Action::kVerifyBreach, owner.tenant,
                                      kVerifyMethod, breach_id, no_breach);
}

grpc::Status AdminService::ListParked(grpc::ServerContext* context,
                                      const breach::v1::ListParkedRequest* request,
                                      breach::v1::ListParkedResponse* response) {
  return ServeOperator(*context, kListParkedMethod, auth::Action::kManageParked,
                       [&] { return ListParkedEvents(request->service(), response); });
}

grpc::Status AdminService::RetryParked(grpc::ServerContext* context,
                                       const breach::v1::RetryParkedRequest* request,
                                       breach::v1::RetryParkedResponse* response) {
  return ServeOperator(*context, kRetryParkedMethod, auth::Action::kManageParked,
                       [&]() -> absl::Status {
    ASSIGN_OR_RETURN(uint64_t retried, Retry(*request));
    response->set_retried(retried);
    return absl::OkStatus();
  });
}

grpc::Status AdminService::BackupStores(grpc::ServerContext* context,
                                        const breach::v1::BackupStoresRequest* request,
                                        breach::v1::BackupStoresResponse* response) {
  return ServeOperator(*context, kBackupStoresMethod, auth::Action::kBackUpStores,
                       [&] { return Backup(request->service(), response); });
}

grpc::Status AdminService::RebuildProjection(
    grpc::ServerContext* context, const breach::v1::RebuildProjectionRequest* request,
    grpc::ServerWriter<breach::v1::RebuildProgress>* writer) {
  return ServeOperator(*context, kRebuildMethod, auth::Action::kRebuildProjection,
                       [&]() -> absl::Status {
    auto rebuilder = rebuilders_.find(request->service());
    if (rebuilder == rebuilders_.end()) {
      std::vector<std::string> names;
      for (const auto& [name, unused] : rebuilders_) names.push_back(name);
      return absl::InvalidArgumentError(absl::StrCat(
          "service: \"", request->service(), "\" has no projection this breachd can rebuild (",
          names.empty() ? "it hosts none" : absl::StrCat("one of: ", absl::StrJoin(names, ", ")),
          ")"));
    }
    log::Info("admin: projection rebuild started", {{"service", request->service()}});
    // A client that went away does not stop the rebuild: it runs to its swap or its failure.
    return rebuilder->second([&](const breach::v1::RebuildProgress& progress) {
      writer->Write(progress);
    });
  });
}

absl::Status AdminService::Backup(const std::string& service,
                                  breach::v1::BackupStoresResponse* response) {
  if (backup_folder_.empty()) {
    return absl::FailedPreconditionError(
        "this breachd has no backup folder: start it with --backup_dir=FOLDER");
  }
  ASSIGN_OR_RETURN(auto stores, StoresNamed(service));
  for (const auto& [name, store] : stores) {
    const std::string folder = absl::StrCat(backup_folder_, "/", name);
    const uint64_t head = store->LastPosition();
    const absl::Time started = absl::Now();
    ASSIGN_OR_RETURN(eventstore::BackupRecord record, store->Backup(folder));
    breach::v1::StoreBackup* out = response->add_backups();
    out->set_service(name);
    out->set_folder(folder);
    out->set_backup_id(record.backup_id);
    *out->mutable_taken_at() = ProtoFromTime(record.taken_at);
    out->set_size_bytes(record.size_bytes);
    out->set_files(record.files);
    out->set_backups_in_folder(record.backups_in_folder);
    out->set_seconds(absl::ToDoubleSeconds(absl::Now() - started));
    out->set_last_position(head);
    log::Info("admin: store backed up", {{"service", name}, {"folder", folder},
                                         {"backup_id", absl::StrCat(record.backup_id)}});
  }
  return absl::OkStatus();
}

grpc::Status AdminService::ServeOperator(grpc::ServerContext& context, const char* method,
                                         auth::Action action,
                                         const std::function<absl::Status()>& run) {
  return AnyGuard().Serve(context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(AnyGuard().Authorize(principal, action, "", method));
    return run();
  });
}

grpc::Status AdminService::GetCheckpoints(grpc::ServerContext* context,
                                          const breach::v1::GetCheckpointsRequest*,
                                          breach::v1::GetCheckpointsResponse* response) {
  return AnyGuard().Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(
        AnyGuard().Authorize(principal, auth::Action::kVerifyStore, "", kCheckpointsMethod));
    if (public_key_.empty()) return absl::OkStatus();
    response->set_public_key(eventstore::ToHex(public_key_));
    for (const auto& [name, hosted] : stores_) {
      ASSIGN_OR_RETURN(std::optional<eventstore::Checkpoint> latest,
                       hosted.store->LatestCheckpoint());
      if (!latest) continue;
      breach::v1::StoreCheckpoint* out = response->add_checkpoints();
      out->set_service(name);
      out->set_position(latest->position);
      out->set_streams(latest->streams);
      out->set_heads_digest(eventstore::ToHex(latest->heads_digest));
      *out->mutable_signed_at() = ProtoFromTime(latest->signed_at);
      out->set_signature(eventstore::ToHex(latest->signature));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::map<std::string, eventstore::EventStore*>> AdminService::StoresNamed(
    const std::string& service) const {
  std::map<std::string, eventstore::EventStore*> named;
  for (const auto& [name, hosted] : stores_) {
    if (service.empty() || name == service) named[name] = hosted.store;
  }
  if (named.empty()) {
    return absl::NotFoundError(absl::StrCat("this process hosts no store named ", service));
  }
  return named;
}

absl::Status AdminService::ListParkedEvents(const std::string& service,
                                            breach::v1::ListParkedResponse* response) {
  ASSIGN_OR_RETURN(auto stores, StoresNamed(service));
  for (const auto& [name, store] : stores) {
    ASSIGN_OR_RETURN(std::vector<eventstore::ParkedEvent> parked, store->ListParked());
    for (const eventstore::ParkedEvent& event : parked) {
      breach::v1::ParkedEvent* out = response->add_events();
      out->set_service(name);
      out->set_position(event.position);
      out->set_event_id(event.event_id);
      out->set_breach_id(event.stream_id);
      out->set_type(event.type);
      out->set_reason(event.reason);
      *out->mutable_parked_at() = ProtoFromTime(event.parked_at);
      out->set_attempts(event.attempts);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> AdminService::Retry(const breach::v1::RetryParkedRequest& request) {
  if (!request.all() && request.position() == 0) {
    return absl::InvalidArgumentError("position or all is required");
  }
  ASSIGN_OR_RETURN(auto stores, StoresNamed(request.service()));
  uint64_t retried = 0;
  if (request.all()) {
    for (const auto& [name, store] : stores) {
      ASSIGN_OR_RETURN(uint64_t count, store->RetryParked(std::nullopt));
      retried += count;
    }
    return retried;
  }
  // Positions are per store: find the one store that has it parked.
  std::vector<std::string> holders;
  for (const auto& [name, store] : stores) {
    ASSIGN_OR_RETURN(std::vector<eventstore::ParkedEvent> parked, store->ListParked());
    if (IsParked(parked, request.position())) holders.push_back(name);
  }
  if (holders.empty()) {
    return absl::NotFoundError(absl::StrCat("position ", request.position(), " is not parked"));
  }
  if (holders.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "position ", request.position(), " is parked in ", absl::StrJoin(holders, " and "),
        "; name the service"));
  }
  return stores.at(holders.front())->RetryParked(request.position());
}

absl::Status AdminService::Verify(const auth::Principal& principal, const std::string& breach_id,
                                  breach::v1::VerifyChainsResponse* response) {
  RETURN_IF_ERROR(AuthorizeVerify(principal, breach_id));
  response->set_ok(true);
  for (const auto& [name, hosted] : stores_) {
    ASSIGN_OR_RETURN(eventstore::VerifyReport report, hosted.store->Verify(breach_id));
    breach::v1::StoreVerification* out = response->add_stores();
    out->set_service(name);
    out->set_ok(report.ok);
    out->set_streams_checked(report.streams_checked);
    out->set_events_checked(report.events_checked);
    out->set_first_bad_stream(report.first_bad_stream);
    out->set_first_bad_version(report.first_bad_version);
    out->set_first_bad_event_id(report.first_bad_event_id);
    out->set_problem(report.problem);
    out->set_checkpoint_checked(report.checkpoint_checked);
    out->set_checkpoint_position(report.checkpoint_position);
    if (report.checkpoint_checked) {
      *out->mutable_checkpoint_signed_at() = ProtoFromTime(report.checkpoint_signed_at);
    }
    if (!report.ok) response->set_ok(false);
  }
  return absl::OkStatus();
}

absl::StatusOr<AdminService::Owner> AdminService::OwnerOf(const std::string& breach_id) {
  for (const auto& [name, hosted] : stores_) {
    ASSIGN_OR_RETURN(std::vector<eventstore::EventEnvelope> events,
                     hosted.store->ReadStream(breach_id));
    if (!events.empty()) return Owner{events.front().tenant(), hosted.guard.get()};
  }
  return Owner{};
}

}  // namespace breachd::service
