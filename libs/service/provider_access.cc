#include "libs/service/provider_access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/common/proto_time.h"
#include "libs/service/projection_rows.h"

namespace breachd::service {

using breach::v1::EventEnvelope;
using breach::v1::ProviderAccess;

std::string ProviderAccessKey(const std::string& breach_id) {
  return absl::StrCat("provider-access/", breach_id);
}

absl::Status ValidateAccessReason(const std::string& reason, const std::string& field) {
  if (reason.size() > kMaxAccessReasonBytes) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is ", reason.size(),
                                                   " bytes; the limit is ", kMaxAccessReasonBytes));
  }
  return absl::OkStatus();
}

absl::Status ValidateBreakGlass(const breach::v1::BreakGlassRequest& request) {
  if (request.breach_id().empty()) return absl::InvalidArgumentError("breach_id is required");
  if (request.reason().empty()) {
    return absl::InvalidArgumentError(
        "reason is required: say why the school's personal data must be read without its grant");
  }
  if (absl::Status status = ValidateAccessReason(request.reason(), "reason"); !status.ok()) {
    return status;
  }
  if (request.duration_seconds() < 1 || request.duration_seconds() > kMaxBreakGlassSeconds) {
    return absl::InvalidArgumentError(absl::StrCat(
        "duration_seconds is ", request.duration_seconds(), "; it must be 1..",
        kMaxBreakGlassSeconds, " (at most 24 hours)"));
  }
  return absl::OkStatus();
}

bool IsAccessEvent(const EventEnvelope& event) {
  const google::protobuf::Any& payload = event.payload();
  return payload.Is<breach::v1::ProviderAccessGranted>() ||
         payload.Is<breach::v1::ProviderAccessRevoked>() ||
         payload.Is<breach::v1::BreakGlassOpened>();
}

bool FoldAccessEvent(const EventEnvelope& event, ProviderAccess& access) {
  if (!IsAccessEvent(event)) return false;
  // Events of one stream arrive in order; a redelivered older one changes nothing.
  if (event.stream_version() != 0 && event.stream_version() <= access.stream_version()) {
    return false;
  }
  access.set_breach_id(event.stream_id());
  access.set_stream_version(event.stream_version());
  // Accesses that had expired when this event was recorded are history (the events keep them).
  const absl::Time recorded = TimeFromProto(event.recorded_at());
  auto* glasses = access.mutable_break_glass();
  glasses->erase(std::remove_if(glasses->begin(), glasses->end(),
                                [&](const ProviderAccess::BreakGlass& glass) {
                                  return TimeFromProto(glass.expires_at()) <= recorded;
                                }),
                 glasses->end());
  const google::protobuf::Any& payload = event.payload();
  breach::v1::BreakGlassOpened opened;
  if (payload.Is<breach::v1::BreakGlassOpened>()) {
    if (!payload.UnpackTo(&opened)) return false;
    ProviderAccess::BreakGlass* glass = access.add_break_glass();
    glass->set_subject(event.actor().subject());
    *glass->mutable_expires_at() = opened.expires_at();
    glass->set_event_id(event.event_id());
    return true;
  }
  access.set_granted(payload.Is<breach::v1::ProviderAccessGranted>());
  access.set_granted_by(event.actor().subject());
  *access.mutable_granted_at() = event.recorded_at();
  return true;
}

bool MaySeePersonalData(const auth::Principal& principal, const std::string& tenant,
                        const std::optional<ProviderAccess>& access, absl::Time now) {
  // The school's own principals were authorized for its data; another school never gets here.
  if (!principal.IsProvider()) return principal.tenant == tenant;
  if (!access.has_value()) return false;
  if (access->granted()) return true;
  return std::any_of(access->break_glass().begin(), access->break_glass().end(),
                     [&](const ProviderAccess::BreakGlass& glass) {
                       return glass.subject() == principal.subject &&
                              now < TimeFromProto(glass.expires_at());
                     });
}

absl::StatusOr<std::optional<eventstore::ProjectionWrite>> AccessRowFor(
    eventstore::EventStore& store, const EventEnvelope& event) {
  if (!IsAccessEvent(event)) return std::nullopt;
  const std::string key = ProviderAccessKey(event.stream_id());
  absl::StatusOr<std::optional<ProviderAccess>> stored = ReadRow<ProviderAccess>(store, key);
  if (!stored.ok()) return stored.status();
  ProviderAccess access = stored->value_or(ProviderAccess());
  if (!FoldAccessEvent(event, access)) return std::nullopt;
  return eventstore::ProjectionWrite{key, access.SerializeAsString()};
}

}  // namespace breachd::service
