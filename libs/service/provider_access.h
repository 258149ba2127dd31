// The school's grant and the incident manager's break-glass access to one breach's personal
// data (proto breach/v1/access.proto): the checks of a break-glass request, the fold of the
// access events into the ProviderAccess row every service keeps, and the decision who may see
// the personal data. Pure logic; the clock is the caller's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/access.pb.h"
#include "breach/v1/envelope.pb.h"
#include "libs/auth/principal.h"
#include "libs/eventstore/event_store.h"

namespace breachd::service {

// The longest break-glass access: a day, then the incident manager must ask again (or the
// school must grant access).
inline constexpr int64_t kMaxBreakGlassSeconds = 24 * 60 * 60;
inline constexpr size_t kMaxAccessReasonBytes = 4096;

// The row of a breach's access in every service's store.
std::string ProviderAccessKey(const std::string& breach_id);

// INVALID_ARGUMENT naming the field: breach_id empty, reason empty or over 4 KiB,
// duration_seconds outside 1..86,400.
absl::Status ValidateBreakGlass(const breach::v1::BreakGlassRequest& request);
// INVALID_ARGUMENT naming `field` when `reason` is over 4 KiB.
absl::Status ValidateAccessReason(const std::string& reason, const std::string& field);

// Whether `event` is one of the access events (granted, revoked, break-glass).
bool IsAccessEvent(const breach::v1::EventEnvelope& event);

// Folds an access event (as stored: with stream_version and recorded_at) into `access`; false
// when it is not an access event or `access` already holds it or a later one.
bool FoldAccessEvent(const breach::v1::EventEnvelope& event, breach::v1::ProviderAccess& access);

// Whether `principal` may see the personal data of a breach of school `tenant` whose access is
// `access` (nullopt: no row, nothing granted), at `now`.
bool MaySeePersonalData(const auth::Principal& principal, const std::string& tenant,
                        const std::optional<breach::v1::ProviderAccess>& access, absl::Time now);

// The row write that folds `event` into the breach's stored access, if it is an access event
// that changes it (a consumer applies it with the event).
absl::StatusOr<std::optional<eventstore::ProjectionWrite>> AccessRowFor(
    eventstore::EventStore& store, const breach::v1::EventEnvelope& event);

}  // namespace breachd::service
