#include "libs/privacy/tenant_service.h"

#include "absl/strings/str_cat.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"

namespace breachd::privacy {
namespace {

constexpr char kEraseMethod[] = "/breach.v1.TenantService/EraseTenant";
constexpr char kContractMethod[] = "/breach.v1.TenantService/SetContractEnd";
constexpr char kRetentionMethod[] = "/breach.v1.TenantService/GetRetention";
constexpr char kRotateMethod[] = "/breach.v1.TenantService/RotateTenantKey";
constexpr size_t kMaxReason = 1024;

// A contract end within [2000-01-01, 2100-01-01), or INVALID_ARGUMENT naming the field.
absl::StatusOr<absl::Time> ContractEnd(const google::protobuf::Timestamp& ts) {
  constexpr int64_t kFirst = 946684800;   // 2000-01-01T00:00:00Z
  constexpr int64_t kLast = 4102444800;   // 2100-01-01T00:00:00Z
  if (ts.seconds() < kFirst || ts.seconds() >= kLast || ts.nanos() < 0 ||
      ts.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        "contract_end must lie within [2000-01-01, 2100-01-01) with nanos in 0..999999999");
  }
  return TimeFromProto(ts);
}

absl::Status ValidateReason(const std::string& reason) {
  if (reason.empty() || reason.size() > kMaxReason) {
    return absl::InvalidArgumentError("reason is required, at most 1024 bytes");
  }
  return absl::OkStatus();
}

}  // namespace

TenantService::TenantService(TenantKeeper& keeper, const std::string& service_name,
                             eventstore::EventStore& store, const auth::IdentityStore& identities,
                             const Clock& clock, std::function<void()> on_append)
    : keeper_(keeper), guard_(service_name, identities, store, clock, std::move(on_append)) {}

grpc::Status TenantService::EraseTenant(grpc::ServerContext* context,
                                        const breach::v1::EraseTenantRequest* request,
                                        breach::v1::EraseTenantResponse* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(ValidateTenantCode(request->tenant(), "tenant"));
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kEraseTenant, request->tenant(),
                                     kEraseMethod));
    if (request->confirm() != request->tenant()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "confirm must repeat the school code (", request->tenant(),
          "): erasing destroys its keys and cannot be undone"));
    }
    RETURN_IF_ERROR(ValidateReason(request->reason()));
    ASSIGN_OR_RETURN(*response,
                     keeper_.Erase(principal, request->tenant(), request->reason(), "operator"));
    return absl::OkStatus();
  });
}

grpc::Status TenantService::SetContractEnd(grpc::ServerContext* context,
                                           const breach::v1::SetContractEndRequest* request,
                                           breach::v1::TenantRetention* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(ValidateTenantCode(request->tenant(), "tenant"));
    std::optional<absl::Time> end;
    if (request->has_contract_end()) {
      ASSIGN_OR_RETURN(end, ContractEnd(request->contract_end()));
    }
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kManageRetention,
                                     request->tenant(), kContractMethod));
    ASSIGN_OR_RETURN(*response, keeper_.SetContractEnd(principal, request->tenant(), end));
    return absl::OkStatus();
  });
}

grpc::Status TenantService::GetRetention(grpc::ServerContext* context,
                                         const breach::v1::GetRetentionRequest* request,
                                         breach::v1::GetRetentionResponse* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    if (!request->tenant().empty()) RETURN_IF_ERROR(ValidateTenantCode(request->tenant(), "tenant"));
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kManageRetention,
                                     request->tenant(), kRetentionMethod));
    ASSIGN_OR_RETURN(std::vector<breach::v1::TenantRetention> rows,
                     keeper_.Retention(request->tenant()));
    for (auto& row : rows) *response->add_tenants() = std::move(row);
    return absl::OkStatus();
  });
}

grpc::Status TenantService::RotateTenantKey(grpc::ServerContext* context,
                                            const breach::v1::RotateTenantKeyRequest* request,
                                            breach::v1::RotateTenantKeyResponse* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(ValidateTenantCode(request->tenant(), "tenant"));
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kRotateTenantKey,
                                     request->tenant(), kRotateMethod));
    RETURN_IF_ERROR(ValidateReason(request->reason()));
    ASSIGN_OR_RETURN(*response, keeper_.RotateKey(principal, request->tenant(), request->reason()));
    return absl::OkStatus();
  });
}

}  // namespace breachd::privacy
