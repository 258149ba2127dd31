// Re-checks the per-stream hash chains and the indexes around them, straight from RocksDB.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "libs/eventstore/database.h"
#include "libs/eventstore/event_store.h"

namespace breachd::eventstore {

// One stream when `stream_id` is set; otherwise every stream, then every stored event and event
// id entry (so an event slipped in beside the chains is found too). Stops at the first problem.
// A failed read is an error status; a bad event is a report with ok = false.
absl::StatusOr<VerifyReport> VerifyChains(const Database& database, const std::string& stream_id);

}  // namespace breachd::eventstore
