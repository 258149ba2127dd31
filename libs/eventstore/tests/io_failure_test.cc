// RocksDB I/O failures, injected through a wrapper around the real file system: the append is
// UNAVAILABLE and nothing of it becomes visible, then or after a reopen.
#include <atomic>
#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventstore/rocksdb_event_store.h"
#include "libs/eventstore/tests/event_store_fixture.h"
#include "rocksdb/file_system.h"

namespace breachd::eventstore {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using testing::MakeAppend;
using testing::TempDir;

// A written file whose appends and syncs fail while `failing` is set.
class FailableWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FailableWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                       const std::atomic<bool>* failing)
      : FSWritableFileOwnerWrapper(std::move(file)), failing_(failing) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (*failing_) return Injected();
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (*failing_) return Injected();
    return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (*failing_) return Injected();
    return FSWritableFileOwnerWrapper::Sync(options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (*failing_) return Injected();
    return FSWritableFileOwnerWrapper::Fsync(options, dbg);
  }

 private:
  static rocksdb::IOStatus Injected() { return rocksdb::IOStatus::IOError("injected failure"); }
  const std::atomic<bool>* failing_;
};

class FailableFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FailableFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FailableFileSystem"; }
  void SetFailing(bool failing) { failing_ = failing; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, file, dbg);
    if (status.ok()) *file = std::make_unique<FailableWritableFile>(std::move(*file), &failing_);
    return status;
  }

 private:
  std::atomic<bool> failing_{false};
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

}  // namespace
}  // namespace breachd::eventstore
