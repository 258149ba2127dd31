// A process killed (SIGKILL) in the middle of a register rebuild: after restart the old register
// serves, exactly as before, the half-built one is gone, and the next rebuild swaps in.
#include <signal.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "rocksdb/db.h"
#include "services/register/register_consumer.h"
#include "services/register/register_rebuild.h"
#include "services/register/register_schema.h"
#include "services/register/tests/mixed_history.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/process.h"

namespace breachd::register_ {
namespace {

std::map<std::string, std::string> ProjectionRows(eventstore::EventStore& store) {
  std::map<std::string, std::string> rows;
  EXPECT_THAT(store.ScanProjection("", "", [&](const std::string& key, const std::string& value) {
    rows[key] = value;
    return true;
  }), ::breachd::testing::IsOk());
  return rows;
}

TEST(RegisterRebuildCrashTest, AKilledRebuildLeavesTheOldRegisterServingAndIsDiscarded) {
  ::breachd::testing::ScratchDir scratch("register-rebuild-crash");
  const std::string dir = scratch.path() + "/register";
  auto child = ::breachd::testing::ChildProcess::Start(
      {std::string(BREACHD_BIN_DIR) + "/register_rebuild_crash_child", dir},
      scratch.path() + "/child");
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(::breachd::testing::WaitUntil(
      [&] { return absl::StrContains(child->Stdout(), "STAGED"); }, absl::Seconds(60)))
      << child->Stderr();
  child->Signal(SIGKILL);

  // What the live register holds: the same events applied by the same consumer elsewhere.
  ASSERT_OK_AND_ASSIGN(auto expected, eventstore::EventStore::Open(scratch.path() + "/expected"));
  RegisterConsumer consumer(*expected, testing::Rome());
  for (const auto& event : testing::MixedHistory()) {
    ASSERT_THAT(consumer.ApplyConsumed(event).status(), ::breachd::testing::IsOk());
  }
  const auto live_rows = ProjectionRows(*expected);
  ASSERT_GT(live_rows.size(), 300u);

  {
    ASSERT_OK_AND_ASSIGN(auto store, eventstore::EventStore::Open(dir));
    EXPECT_EQ(store->ProjectionGeneration(), 0u);
    EXPECT_TRUE(ProjectionRows(*store) == live_rows);
  }
  std::vector<std::string> families;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &families).ok());
  for (const std::string& family : families) {
    EXPECT_FALSE(absl::StrContains(family, ".g")) << family << " outlived the crash";
  }
  EXPECT_TRUE(!std::filesystem::exists(dir + "/staged-tables") ||
              std::filesystem::is_empty(dir + "/staged-tables"));

  // The next rebuild swaps in, with the same rows.
  ASSERT_OK_AND_ASSIGN(auto store, eventstore::EventStore::Open(dir));
  ASSERT_OK_AND_ASSIGN(uint64_t generation, store->StageProjection());
  EXPECT_GE(generation, 1u);  // (a number dropped at an earlier open may be used again)
  RebuildFold fold(testing::Rome(), /*threads=*/2);
  for (const auto& event : testing::MixedHistory()) {
    ASSERT_THAT(fold.Add(event), ::breachd::testing::IsOk());
  }
  ASSERT_THAT(fold.TakeRows([&](std::vector<eventstore::ProjectionWrite> rows) {
    return store->WriteStagedProjection(generation, rows, {});
  }), ::breachd::testing::IsOk());
  ASSERT_THAT(store->SwapProjection(generation), ::breachd::testing::IsOk());
  EXPECT_EQ(store->ProjectionGeneration(), generation);
  EXPECT_EQ(ProjectionRows(*store).count(EntryKey(testing::kTenant, "01JQMIX0000000000000000001")),
            1u);
}

}  // namespace
}  // namespace breachd::register_
