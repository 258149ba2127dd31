// The RocksDB event store behind EventStore::Open, with the RocksDB environment exposed so tests
// can inject I/O faults through a wrapper around the real one.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/eventstore/event_store.h"
#include "rocksdb/env.h"

namespace breachd::eventstore {

// EventStore::Open with `env` (not owned, must outlive the store; nullptr = RocksDB's default).
absl::StatusOr<std::unique_ptr<EventStore>> OpenRocksDbEventStore(const std::string& path,
                                                                  Options options,
                                                                  rocksdb::Env* env);

}  // namespace breachd::eventstore
