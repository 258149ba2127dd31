// Backups of one service's RocksDB store with RocksDB's BackupEngine: consistent across every
// column family (events, outbox, projections...) because it copies one point-in-time view of the
// whole database, taken while the store keeps serving; incremental (a backup copies only the
// SST files the folder does not hold yet); verified against the checksums it recorded.
// Restoring is for a stopped service: it replaces the store folder's contents.
//
// `breachctl admin backup` reaches it over gRPC (AdminService.BackupStores, every hosted store
// while it serves); `breachctl admin restore` runs it on the host of a stopped service.
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

// How far a restore moves the store's next position past the backup's last one. Events appended
// after the backup and lost with the store had positions the other services' checkpoints may
// already have passed; new events must never take those positions again, or a consumer catching
// up by position would skip them. 2^32 events is more than any store loses between two backups.
inline constexpr uint64_t kRestorePositionGap = uint64_t{1} << 32;

// Restores the latest verified backup of `backup_dir` into `store_dir` (a stopped store's folder;
// its database files are replaced), then sets the position floor kRestorePositionGap past the
// restored store's last position. NOT_FOUND when the folder holds no backup;
// FAILED_PRECONDITION when the store is open (a running service holds its lock).
absl::StatusOr<BackupRecord> RestoreLatestBackup(const std::string& backup_dir,
                                                 const std::string& store_dir);

}  // namespace breachd::eventstore
