#include "libs/eventstore/store_backup.h"

#include <filesystem>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/eventstore/database.h"
#include "libs/eventstore/storage_layout.h"
#include "rocksdb/utilities/backup_engine.h"

namespace breachd::eventstore {
namespace {

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>> OpenEngine(const std::string& backup_dir) {
  // BackupEngine makes the folder itself but not its parents (<backup_dir>/<service>).
  std::error_code error;
  std::filesystem::create_directories(backup_dir, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("cannot create ", backup_dir, ": ", error.message()));
  }
  rocksdb::BackupEngineOptions options(backup_dir);
  options.sync = true;  // a backup that reports success survives a power cut
  rocksdb::BackupEngine* engine = nullptr;
  RETURN_IF_ERROR(FromRocksStatus(rocksdb::BackupEngine::Open(options, rocksdb::Env::Default(), &engine),
                                  absl::StrCat("open backups in ", backup_dir)));
  return std::unique_ptr<rocksdb::BackupEngine>(engine);
}

}  // namespace

absl::StatusOr<BackupRecord> BackupDatabase(rocksdb::DB& db, const std::string& backup_dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngine> engine, OpenEngine(backup_dir));
  rocksdb::CreateBackupOptions create;
  // The WAL is copied too, so nothing acknowledged is left out; flushing first keeps the copy
  // made of immutable SST files that later backups share.
  create.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  RETURN_IF_ERROR(FromRocksStatus(engine->CreateNewBackup(create, &db, &id),
                                  absl::StrCat("back up to ", backup_dir)));
  const rocksdb::Status verified = engine->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (!verified.ok()) {
    return absl::DataLossError(absl::StrCat("backup ", id, " in ", backup_dir,
                                            " does not verify: ", verified.ToString()));
  }
  rocksdb::BackupInfo info;
  RETURN_IF_ERROR(FromRocksStatus(engine->GetBackupInfo(id, &info), "read the backup's info"));
  std::vector<rocksdb::BackupInfo> all;
  engine->GetBackupInfo(&all);
  BackupRecord record;
  record.backup_id = id;
  record.taken_at = absl::FromUnixSeconds(info.timestamp);
  record.size_bytes = info.size;
  record.files = info.number_files;
  record.backups_in_folder = static_cast<uint32_t>(all.size());
  return record;
}

absl::StatusOr<BackupRecord> RestoreLatestBackup(const std::string& backup_dir,
                                                 const std::string& store_dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngine> engine, OpenEngine(backup_dir));
  std::vector<rocksdb::BackupInfo> all;
  engine->GetBackupInfo(&all);
  if (all.empty()) return absl::NotFoundError(absl::StrCat(backup_dir, " holds no backup"));
  std::error_code error;
  if (std::filesystem::exists(store_dir, error)) {
    // A running service holds the store's lock: restoring under it would corrupt both.
    absl::StatusOr<std::unique_ptr<Database>> open = Database::Open(store_dir);
    if (!open.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          store_dir, " cannot be opened (is its service still running? stop it first): ",
          open.status().message()));
    }
  }
  RETURN_IF_ERROR(FromRocksStatus(engine->RestoreDBFromLatestBackup(store_dir, store_dir),
                                  absl::StrCat("restore ", backup_dir, " into ", store_dir)));
  ASSIGN_OR_RETURN(std::unique_ptr<Database> restored, Database::Open(store_dir));
  ASSIGN_OR_RETURN(const uint64_t last, restored->LastStoredPosition());
  rocksdb::WriteOptions sync;
  sync.sync = true;
  RETURN_IF_ERROR(FromRocksStatus(
      restored->db()->Put(sync, restored->meta(), layout::kPositionFloorKey,
                          layout::EncodePosition(last + kRestorePositionGap + 1)),
      "set the restored store's position floor"));
  const rocksdb::BackupInfo& latest = all.back();
  BackupRecord record;
  record.backup_id = latest.backup_id;
  record.taken_at = absl::FromUnixSeconds(latest.timestamp);
  record.size_bytes = latest.size;
  record.files = latest.number_files;
  record.backups_in_folder = static_cast<uint32_t>(all.size());
  return record;
}

}  // namespace breachd::eventstore
