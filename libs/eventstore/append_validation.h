// Checks on what callers hand the store, before anything is locked or written. Errors are
// INVALID_ARGUMENT naming the field, e.g. "events[0].event_id is required".
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/eventstore/event_store.h"

namespace breachd::eventstore {

absl::Status ValidateAppendRequest(const AppendRequest& request);
// `field` names the list in messages, e.g. "projection".
absl::Status ValidateProjectionWrites(const std::vector<ProjectionWrite>& rows,
                                      absl::string_view field);

}  // namespace breachd::eventstore
