// RocksDB I/O failures, injected through a wrapper around the real file system: the append is
// UNAVAILABLE and nothing of it becomes visible, then or after a reopen. A full disk stops
// RocksDB's writes until DB::Resume(): reads go on, and writing comes back without a reopen.
#include <atomic>
#include <memory>

#include "absl/time/clock.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventstore/disk_reserve.h"
#include "libs/eventstore/rocksdb_event_store.h"
#include "libs/eventstore/tests/event_store_fixture.h"
#include "rocksdb/file_system.h"

namespace breachd::eventstore {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using testing::MakeAppend;
using testing::TempDir;

// What the injected failure looks like.
enum class Fault { kNone, kIoError, kNoSpace };

// A written file whose appends and syncs fail while a fault is set.
class FailableWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FailableWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                       const std::atomic<Fault>* fault)
      : FSWritableFileOwnerWrapper(std::move(file)), fault_(fault) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (*fault_ != Fault::kNone) return Injected();
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (*fault_ != Fault::kNone) return Injected();
    return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (*fault_ != Fault::kNone) return Injected();
    return FSWritableFileOwnerWrapper::Sync(options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (*fault_ != Fault::kNone) return Injected();
    return FSWritableFileOwnerWrapper::Fsync(options, dbg);
  }

 private:
  rocksdb::IOStatus Injected() const {
    return *fault_ == Fault::kNoSpace ? rocksdb::IOStatus::NoSpace("injected full disk")
                                      : rocksdb::IOStatus::IOError("injected failure");
  }
  const std::atomic<Fault>* fault_;
};

class FailableFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FailableFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FailableFileSystem"; }
  void SetFailing(bool failing) { fault_ = failing ? Fault::kIoError : Fault::kNone; }
  void SetFault(Fault fault) { fault_ = fault; }
  // Without free-space figures RocksDB does not recover from a full disk by itself (its
  // SstFileManager polls them every 5 s), so the store's own DB::Resume() is the only way back.
  void HideFreeSpace() { hide_free_space_ = true; }

  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& options,
                                 uint64_t* free_space, rocksdb::IODebugContext* dbg) override {
    if (hide_free_space_) return rocksdb::IOStatus::NotSupported("hidden by the test");
    return target()->GetFreeSpace(path, options, free_space, dbg);
  }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, file, dbg);
    if (status.ok()) *file = std::make_unique<FailableWritableFile>(std::move(*file), &fault_);
    return status;
  }

 private:
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<bool> hide_free_space_{false};
};

TEST(IoFailureTest, AFailedWriteIsUnavailableAndLeavesNothing) {
  TempDir dir;
  auto file_system = std::make_shared<FailableFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(file_system);
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store,
                         OpenRocksDbEventStore(dir.path(), Options{}, env.get()));
    ASSERT_THAT(store->Append(MakeAppend("breach-1", 1)), IsOk());

    file_system->SetFailing(true);
    AppendRequest request = MakeAppend("breach-1", 2, /*expected_version=*/1);
    request.projection = {{.key = "row", .value = "must not appear"}};
    EXPECT_THAT(store->Append(request), StatusIs(absl::StatusCode::kUnavailable));
    file_system->SetFailing(false);

    EXPECT_THAT(store->ReadStream("breach-1").value_or(std::vector<EventEnvelope>{}),
                ::testing::SizeIs(1));
    EXPECT_EQ(store->GetProjection("row").value_or("error"), std::nullopt);
    EXPECT_THAT(store->GetEvent(request.events[0].event_id()),
                StatusIs(absl::StatusCode::kNotFound));
  }

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> reopened, EventStore::Open(dir.path()));
  EXPECT_THAT(reopened->ReadStream("breach-1").value_or(std::vector<EventEnvelope>{}),
              ::testing::SizeIs(1));
  EXPECT_THAT(reopened->Append(MakeAppend("breach-1", 1, /*expected_version=*/1)), IsOk());
  ASSERT_OK_AND_ASSIGN(VerifyReport report, reopened->Verify());
  EXPECT_TRUE(report.ok) << report.problem;
}

// A full disk: RocksDB goes read-only (a background error) and stays so until DB::Resume().
// Appends are UNAVAILABLE meanwhile, reads work, and writing comes back once there is room,
// without reopening the store.
class FullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override { options_.clock = &clock_; }

  void Open() {
    ASSERT_OK_AND_ASSIGN(store_, OpenRocksDbEventStore(dir_.path(), options_, env_.get()));
    ASSERT_THAT(store_->Append(MakeAppend("breach-1", 1)), IsOk());
  }

  // Fills the disk: the append fails, RocksDB stops taking writes.
  void FillDisk() {
    file_system_->SetFault(Fault::kNoSpace);
    EXPECT_THAT(store_->Append(MakeAppend("breach-1", 1)),
                StatusIs(absl::StatusCode::kUnavailable, ::testing::HasSubstr("No space")));
  }

  // Once writing came back: the chain goes on where it stopped.
  void ExpectWritesAndChainWhole() {
    EXPECT_THAT(store_->Append(MakeAppend("breach-1", 1, /*expected_version=*/1)), IsOk());
    EXPECT_THAT(store_->ReadStream("breach-1").value_or(std::vector<EventEnvelope>{}),
                ::testing::SizeIs(2));
    ASSERT_OK_AND_ASSIGN(VerifyReport report, store_->Verify());
    EXPECT_TRUE(report.ok) << report.problem;
  }

  TempDir dir_;
  std::shared_ptr<FailableFileSystem> file_system_ = std::make_shared<FailableFileSystem>();
  std::unique_ptr<rocksdb::Env> env_ = rocksdb::NewCompositeEnv(file_system_);
  FakeClock clock_;
  Options options_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(FullDiskTest, WritesAreRefusedReadsWorkAndTheStoreResumesWhenThereIsRoom) {
  file_system_->HideFreeSpace();
  Open();
  FillDisk();
  clock_.Advance(absl::Seconds(2));
  EXPECT_THAT(store_->Append(MakeAppend("breach-2", 1)),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::HasSubstr("refuses writes")));
  EXPECT_THAT(store_->ResumeWrites(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store_->ReadStream("breach-1").value_or(std::vector<EventEnvelope>{}),
              ::testing::SizeIs(1));

  file_system_->SetFault(Fault::kNone);
  // Within the back-off the store does not ask RocksDB again.
  EXPECT_THAT(store_->Append(MakeAppend("breach-1", 1)), StatusIs(absl::StatusCode::kUnavailable));
  clock_.Advance(absl::Seconds(2));
  EXPECT_THAT(store_->ResumeWrites(), IsOk());
  ExpectWritesAndChainWhole();
}

// The store stops writing while there is still room, as Debian's librocksdb can abort on a
// real full disk (disk_reserve.h).
TEST_F(FullDiskTest, WritesAreRefusedBelowTheDiskReserveAndResumeWhenSpaceIsFreed) {
  std::atomic<uint64_t> free_bytes{uint64_t{1} << 30};
  options_.disk_reserve_bytes = uint64_t{64} << 20;
  options_.free_disk_bytes = [&]() -> absl::StatusOr<uint64_t> { return free_bytes.load(); };
  Open();

  free_bytes = uint64_t{63} << 20;
  EXPECT_THAT(store_->Append(MakeAppend("breach-1", 1)),
              StatusIs(absl::StatusCode::kUnavailable,
                       "event store refuses writes: its disk has 63 MiB free, below the reserve "
                       "of 64 MiB; writing resumes once space is freed"));
  EXPECT_THAT(store_->ResumeWrites(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store_->ReadStream("breach-1").value_or(std::vector<EventEnvelope>{}),
              ::testing::SizeIs(1));

  free_bytes = uint64_t{65} << 20;
  EXPECT_THAT(store_->ResumeWrites(), IsOk());
  ExpectWritesAndChainWhole();
}

// Far above the reserve the free space is read once per kRecheckAfter, not per write; near it,
// at every write, so a drop below the reserve is refused at the next write.
TEST(DiskReserveTest, ReadsTheFreeSpaceAgainAtEveryWriteOnlyNearTheReserve) {
  FakeClock clock;
  std::atomic<uint64_t> free_bytes{uint64_t{100} << 30};
  int reads = 0;
  DiskReserve reserve(uint64_t{64} << 20, [&]() -> absl::StatusOr<uint64_t> {
    ++reads;
    return free_bytes.load();
  }, clock);
  EXPECT_THAT(reserve.Check(), IsOk());
  EXPECT_THAT(reserve.Check(), IsOk());
  EXPECT_EQ(reads, 1);
  free_bytes = uint64_t{63} << 20;
  EXPECT_THAT(reserve.Check(), IsOk());  // the reading of 100 GiB still stands
  clock.Advance(DiskReserve::kRecheckAfter);
  EXPECT_THAT(reserve.Check(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(reserve.Check(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(reads, 3);
  free_bytes = (uint64_t{64} << 20) + DiskReserve::kSlackBytes;  // room, but within the slack
  EXPECT_THAT(reserve.Check(), IsOk());
  EXPECT_THAT(reserve.Check(), IsOk());
  EXPECT_EQ(reads, 5);
}

// With free-space figures (a real disk) RocksDB's SstFileManager recovers by itself, every 5 s;
// the store's Resume() is "busy" meanwhile and says OK once RocksDB is back.
TEST_F(FullDiskTest, RocksDbsOwnRecoveryBringsWritesBackToo) {
  Open();
  FillDisk();
  clock_.Advance(absl::Seconds(2));
  EXPECT_THAT(store_->ResumeWrites(),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::HasSubstr("No space")));
  file_system_->SetFault(Fault::kNone);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!store_->ResumeWrites().ok() && absl::Now() < deadline) {
    clock_.Advance(absl::Seconds(2));
    absl::SleepFor(absl::Milliseconds(100));  // RocksDB's recovery thread runs on real time
  }
  EXPECT_THAT(store_->ResumeWrites(), IsOk());
  ExpectWritesAndChainWhole();
}

}  // namespace
}  // namespace breachd::eventstore
