#include "libs/eventstore/append_validation.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace breachd::eventstore {

absl::Status ValidateProjectionWrites(const std::vector<ProjectionWrite>& rows,
                                      absl::string_view field) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].key.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(field, "[", i, "].key is required"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateAppendRequest(const AppendRequest& request) {
  if (request.stream_id.empty()) return absl::InvalidArgumentError("stream_id is required");
  if (request.events.empty()) return absl::InvalidArgumentError("events must not be empty");
  absl::flat_hash_map<std::string_view, size_t> seen_ids;
  for (size_t i = 0; i < request.events.size(); ++i) {
    const EventEnvelope& event = request.events[i];
    const std::string field = absl::StrCat("events[", i, "]");
    if (event.event_id().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".event_id is required"));
    }
    if (event.type().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".type is required"));
    }
    if (event.tenant() != request.events[0].tenant()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".tenant \"", event.tenant(),
                                                     "\" differs from events[0].tenant \"",
                                                     request.events[0].tenant(), "\""));
    }
    if (!event.stream_id().empty() && event.stream_id() != request.stream_id) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".stream_id \"", event.stream_id(),
                                                     "\" is not the request's stream_id"));
    }
    auto [it, inserted] = seen_ids.emplace(event.event_id(), i);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".event_id repeats events[", it->second, "].event_id"));
    }
  }
  return ValidateProjectionWrites(request.projection, "projection");
}

}  // namespace breachd::eventstore
