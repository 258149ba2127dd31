#include "services/intake/access_service.h"

#include "absl/strings/str_cat.h"
#include "libs/common/ids.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/service/event_factory.h"
#include "libs/service/projection_rows.h"
#include "libs/service/provider_access.h"
#include "services/intake/intake_schema.h"
#include "services/intake/intake_service.h"

namespace breachd::intake {
namespace {

constexpr char kGrantMethod[] = "/breach.v1.AccessService/GrantProviderAccess";
constexpr char kRevokeMethod[] = "/breach.v1.AccessService/RevokeProviderAccess";
constexpr char kBreakGlassMethod[] = "/breach.v1.AccessService/BreakGlass";

}  // namespace

AccessService::AccessService(eventstore::EventStore& store, const auth::IdentityStore& identities,
                             const Clock& clock, std::function<void()> on_append,
                             StripedMutex<>& breach_locks, service::Fellows fellows)
    : store_(store),
      clock_(clock),
      on_append_(on_append),
      guard_(kServiceName, identities, store, clock, on_append),
      breach_locks_(breach_locks),
      forwarder_(kServiceName, fellows.ownership, std::move(fellows.addresses),
                 std::move(fellows.credentials)) {}

grpc::Status AccessService::GrantProviderAccess(
    grpc::ServerContext* context, const breach::v1::GrantProviderAccessRequest* request,
    breach::v1::ProviderAccessResponse* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->breach_id()),
                                     &Fellow::GrantProviderAccess, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(service::ValidateAccessReason(request->reason(), "reason"));
    breach::v1::ProviderAccessGranted granted;
    granted.set_breach_id(request->breach_id());
    granted.set_reason(request->reason());
    ASSIGN_OR_RETURN(*response->mutable_access(),
                     Record(principal, request->breach_id(), auth::Action::kGrantProviderAccess,
                            kGrantMethod, granted));
    return absl::OkStatus();
  });
}

grpc::Status AccessService::RevokeProviderAccess(
    grpc::ServerContext* context, const breach::v1::RevokeProviderAccessRequest* request,
    breach::v1::ProviderAccessResponse* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->breach_id()),
                                     &Fellow::RevokeProviderAccess, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(service::ValidateAccessReason(request->reason(), "reason"));
    breach::v1::ProviderAccessRevoked revoked;
    revoked.set_breach_id(request->breach_id());
    revoked.set_reason(request->reason());
    ASSIGN_OR_RETURN(*response->mutable_access(),
                     Record(principal, request->breach_id(), auth::Action::kGrantProviderAccess,
                            kRevokeMethod, revoked));
    return absl::OkStatus();
  });
}

grpc::Status AccessService::BreakGlass(grpc::ServerContext* context,
                                       const breach::v1::BreakGlassRequest* request,
                                       breach::v1::ProviderAccessResponse* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->breach_id()),
                                     &Fellow::BreakGlass, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(service::ValidateBreakGlass(*request));
    breach::v1::BreakGlassOpened opened;
    opened.set_breach_id(request->breach_id());
    opened.set_reason(request->reason());
    opened.set_duration_seconds(request->duration_seconds());
    // Checked 1..86,400 above, so the conversion cannot overflow.
    *opened.mutable_expires_at() =
        ProtoFromTime(clock_.Now() + absl::Seconds(request->duration_seconds()));
    ASSIGN_OR_RETURN(*response->mutable_access(),
                     Record(principal, request->breach_id(), auth::Action::kBreakGlass,
                            kBreakGlassMethod, opened));
    return absl::OkStatus();
  });
}

absl::StatusOr<breach::v1::ProviderAccess> AccessService::Record(
    const auth::Principal& principal, const std::string& breach_id, auth::Action action,
    const std::string& method, const google::protobuf::Message& event) {
  if (!IsUlid(breach_id)) return absl::InvalidArgumentError("breach_id is not a breach id");
  const absl::Status no_breach = absl::NotFoundError(absl::StrCat("no breach ", breach_id));
  ASSIGN_OR_RETURN(std::optional<breach::v1::Report> report, FindReport(store_, breach_id));
  if (!report.has_value()) return no_breach;
  const std::string& tenant = report->report().tenant();
  RETURN_IF_ERROR(guard_.AuthorizeBreach(principal, action, tenant, method, breach_id, no_breach));

  absl::MutexLock lock(&breach_locks_.For(ReportKey(breach_id)));
  ASSIGN_OR_RETURN(const uint64_t version, store_.StreamVersion(breach_id));
  const absl::Time now = clock_.Now();
  breach::v1::EventEnvelope envelope =
      service::MakeEvent({kServiceName, principal, method, breach_id}, tenant, now, event);
  // The row as the store will have it: the next version of the stream, recorded now.
  breach::v1::EventEnvelope as_stored = envelope;
  as_stored.set_stream_id(breach_id);
  as_stored.set_stream_version(version + 1);
  *as_stored.mutable_recorded_at() = ProtoFromTime(now);
  ASSIGN_OR_RETURN(std::optional<breach::v1::ProviderAccess> stored,
                   service::ReadRow<breach::v1::ProviderAccess>(
                       store_, service::ProviderAccessKey(breach_id)));
  breach::v1::ProviderAccess access = stored.value_or(breach::v1::ProviderAccess());
  service::FoldAccessEvent(as_stored, access);

  eventstore::AppendRequest append;
  append.stream_id = breach_id;
  append.expected_version = version;  // ABORTED if another writer got in between
  append.events.push_back(std::move(envelope));
  append.projection.push_back({service::ProviderAccessKey(breach_id), access.SerializeAsString()});
  RETURN_IF_ERROR(store_.Append(std::move(append)).status());
  if (on_append_) on_append_();
  return access;
}

}  // namespace breachd::intake
