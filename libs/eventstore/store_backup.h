// Backups of one service's RocksDB store with RocksDB's BackupEngine: consistent across every
// column family (events, outbox, projections...) because it copies one point-in-time view of the
// whole database, taken while the store keeps serving; incremental (a backup copies only the
// SST files the folder does not hold yet); verified against the checksums it recorded.
// Restoring is for a stopped service: it replaces the store folder's contents.
//
// The start of issue 15's `breachctl admin backup`/`admin restore`: not yet reachable over gRPC.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"

namespace breachd::eventstore {

struct BackupRecord {
  uint32_t backup_id = 0;
  absl::Time taken_at;
  uint64_t size_bytes = 0;  // of this backup's files, shared ones included
  uint32_t files = 0;
  uint32_t backups_in_folder = 0;
};

// Adds a backup of `db` to `backup_dir` (created if needed), then verifies it (sizes and
// checksums). UNAVAILABLE on I/O failure, DATA_LOSS when the verification fails.
absl::StatusOr<BackupRecord> BackupDatabase(rocksdb::DB& db, const std::string& backup_dir);

// Restores the latest verified backup of `backup_dir` into `store_dir` (a stopped store's folder;
// its database files are replaced). NOT_FOUND when the folder holds no backup.
absl::Status RestoreLatestBackup(const std::string& backup_dir, const std::string& store_dir);

}  // namespace breachd::eventstore
