// A store backed up twice (the second incrementally), restored into an empty folder: every event
// comes back and every hash chain verifies.
#include "libs/eventstore/store_backup.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/eventstore/database.h"
#include "libs/eventstore/tests/event_store_fixture.h"

namespace breachd::eventstore {
namespace {

using ::breachd::testing::StatusIs;
using testing::MakeAppend;
using testing::TempDir;

uint64_t CountEvents(EventStore& store) {
  uint64_t count = 0;
  EXPECT_THAT(store.ReadAll(1, [&count](const EventEnvelope&) { return ++count, true; }),
              ::breachd::testing::IsOk());
  return count;
}

// Opens the store's database alone (the store closed) to back it up.
absl::StatusOr<BackupRecord> BackUp(const std::string& store_dir, const std::string& backup_dir) {
  auto database = Database::Open(store_dir);
  if (!database.ok()) return database.status();
  return BackupDatabase(*(*database)->db(), backup_dir);
}

TEST(StoreBackupTest, IncrementalBackupsRestoreEveryEventWithItsChains) {
  TempDir store_dir, backup_root, restored_dir;
  const std::string backups = backup_root.path() + "/intake";
  {
    ASSERT_OK_AND_ASSIGN(auto store, EventStore::Open(store_dir.path()));
    ASSERT_THAT(store->Append(MakeAppend("breach-1", 3)), ::breachd::testing::IsOk());
  }
  ASSERT_OK_AND_ASSIGN(BackupRecord first, BackUp(store_dir.path(), backups));
  EXPECT_EQ(first.backups_in_folder, 1u);
  EXPECT_GT(first.size_bytes, 0u);
  {
    ASSERT_OK_AND_ASSIGN(auto store, EventStore::Open(store_dir.path()));
    ASSERT_THAT(store->Append(MakeAppend("breach-2", 2)), ::breachd::testing::IsOk());
  }
  ASSERT_OK_AND_ASSIGN(BackupRecord second, BackUp(store_dir.path(), backups));
  EXPECT_EQ(second.backups_in_folder, 2u);
  EXPECT_GT(second.backup_id, first.backup_id);

  ASSERT_THAT(RestoreLatestBackup(backups, restored_dir.path()), ::breachd::testing::IsOk());
  ASSERT_OK_AND_ASSIGN(auto restored, EventStore::Open(restored_dir.path()));
  EXPECT_EQ(CountEvents(*restored), 5u);
  ASSERT_OK_AND_ASSIGN(VerifyReport report, restored->Verify());
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.streams_checked, 2u);
}

// A backup taken while the store serves; events appended after it are lost with the store (the
// RPO is the time since the backup), and the restored store never hands out their positions again.
TEST(StoreBackupTest, ABackupWhileServingRestoresAndNewEventsGetPositionsPastTheLostOnes) {
  TempDir store_dir, backup_root;
  const std::string backups = backup_root.path() + "/intake";
  uint64_t lost_last_position = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto store, EventStore::Open(store_dir.path()));
    ASSERT_THAT(store->Append(MakeAppend("breach-1", 3)), ::breachd::testing::IsOk());
    ASSERT_OK_AND_ASSIGN(BackupRecord record, store->Backup(backups));  // open, serving
    EXPECT_EQ(record.backups_in_folder, 1u);
    ASSERT_THAT(store->Append(MakeAppend("breach-2", 2)), ::breachd::testing::IsOk());
    lost_last_position = store->LastPosition();
    // Restoring under a running store is refused: it holds the lock.
    EXPECT_THAT(RestoreLatestBackup(backups, store_dir.path()),
                StatusIs(absl::StatusCode::kFailedPrecondition));
  }
  std::filesystem::remove_all(store_dir.path());  // the disk is lost
  ASSERT_OK_AND_ASSIGN(BackupRecord restored_from, RestoreLatestBackup(backups, store_dir.path()));
  EXPECT_EQ(restored_from.backups_in_folder, 1u);
  ASSERT_OK_AND_ASSIGN(auto restored, EventStore::Open(store_dir.path()));
  EXPECT_EQ(CountEvents(*restored), 3u);
  ASSERT_THAT(restored->Append(MakeAppend("breach-3", 1)), ::breachd::testing::IsOk());
  EXPECT_GT(restored->LastPosition(), lost_last_position + kRestorePositionGap - 10);
  uint64_t after = 0;
  ASSERT_THAT(restored->ReadAll(lost_last_position + 1, [&after](const EventEnvelope&) {
    return ++after, true;
  }), ::breachd::testing::IsOk());
  EXPECT_EQ(after, 1u);  // a consumer past the lost positions still finds the new event
  ASSERT_OK_AND_ASSIGN(VerifyReport report, restored->Verify());
  EXPECT_TRUE(report.ok) << report.problem;
}

TEST(StoreBackupTest, RestoringFromAnEmptyFolderIsNotFound) {
  TempDir backup_root, restored_dir;
  std::filesystem::create_directories(backup_root.path() + "/none");
  EXPECT_THAT(RestoreLatestBackup(backup_root.path() + "/none", restored_dir.path()),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace breachd::eventstore
