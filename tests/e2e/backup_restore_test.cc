// Back up while serving, lose a store, restore it: one breachd (every service, embedded bus)
// files reports, `breachctl admin backup` takes a backup of every store while it serves, more
// reports follow, then breachd is killed and a store's folder destroyed and restored with
// `breachctl admin restore`. A consumer's store (the register) comes back complete: what it
// lacked is re-derived from the intake's store (RPO 0). A source's store (the intake) loses the
// writes acknowledged after the backup (RPO = time since the backup), and what it files after the
// restore still reaches the register. Prints the RTO: restore plus start until serving.
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/testing/breachd_process.h"
#include "tests/testing/fixtures.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures

class BackupRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    dir_ = scratch_->path();
    breachd_ = std::make_unique<BreachdProcess>(dir_, std::vector<std::string>{
                                                          "--backup_dir=" + dir_ + "/backups"});
    ASSERT_TRUE(breachd_->Start()) << breachd_->Stderr();
  }

  void File(int count, const std::string& prefix) {
    for (int i = 0; i < count; ++i) {
      breachd_->Ok({"report", "create", "-f",
                    std::string(BREACHD_SOURCE_DIR) + "/docs/examples/report-lost-laptop.json",
                    "--request-id", absl::StrCat(prefix, "-", i)},
                   kVespucciStaffToken);
    }
  }
  size_t RegisterRows() {
    const nlohmann::json page =
        breachd_->Ok({"breach", "list", "--page-size", "500"}, kOperatorToken);
    return page.value("entries", nlohmann::json::array()).size();
  }
  // Breaches in the intake's store (its chains, as verify counts them).
  uint64_t IntakeBreaches() {
    const nlohmann::json verified = breachd_->Ok({"verify"}, kOperatorToken);
    for (const auto& store : verified["stores"]) {
      if (store["service"] == "intake") {
        uint64_t breaches = 0;
        absl::SimpleAtoi(store.value("streams_checked", "0"), &breaches);
        return breaches;
      }
    }
    return 0;
  }
  // Kills breachd, destroys `service`'s store folder, restores it; returns the restore's seconds.
  double LoseAndRestore(const std::string& service) {
    breachd_->Kill();
    const std::string store = dir_ + "/data/" + service;
    std::filesystem::remove_all(store);
    const absl::Time started = absl::Now();
    const nlohmann::json restored =
        breachd_->Ok({"admin", "restore", "--backup-dir", dir_ + "/backups/" + service,
                      "--data-dir", store},
                     kOperatorToken);
    EXPECT_FALSE(restored.is_null());
    return absl::ToDoubleSeconds(absl::Now() - started);
  }
  // After a restore every store's chains verify and so does its latest signed checkpoint
  // (breachd signs with <data_dir>/signing/checkpoint.key under --dev_identity).
  void ExpectStoresAndCheckpointsVerify(const std::string& when) {
    const nlohmann::json verified = breachd_->Ok({"verify"}, kOperatorToken);
    EXPECT_EQ(verified.value("ok", false), true) << when << ": " << verified.dump();
    ASSERT_EQ(verified["stores"].size(), 4u) << when << ": " << verified.dump();
    std::set<std::string> signed_stores;
    for (const auto& store : verified["stores"]) {
      EXPECT_EQ(store.value("ok", false), true) << when << ": " << store.dump();
      // A store with no event yet (here the notification's) has nothing to sign.
      if (store.value("events_checked", "0") == "0") continue;
      EXPECT_EQ(store.value("checkpoint_checked", false), true) << when << ": " << store.dump();
      signed_stores.insert(store["service"].get<std::string>());
    }
    EXPECT_TRUE(signed_stores.count("intake") && signed_stores.count("register"))
        << when << ": " << verified.dump();
  }
  double StartSeconds() {
    const absl::Time started = absl::Now();
    EXPECT_TRUE(breachd_->Start()) << breachd_->Stderr();
    return absl::ToDoubleSeconds(absl::Now() - started);
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::string dir_;
  std::unique_ptr<BreachdProcess> breachd_;
};

TEST_F(BackupRestoreTest, AConsumerComesBackWholeAndASourceLosesOnlyWhatFollowedItsBackup) {
  File(20, "before");
  ASSERT_TRUE(WaitUntil([&] { return RegisterRows() == 20; }));
  const nlohmann::json backup = breachd_->Ok({"admin", "backup"}, kOperatorToken);
  ASSERT_EQ(backup["backups"].size(), 4u) << backup.dump();
  // A school may not back the provider up.
  EXPECT_NE(breachd_->Breachctl({"admin", "backup"}, kVespucciDpoToken).exit_code, 0);
  File(10, "after");
  ASSERT_TRUE(WaitUntil([&] { return RegisterRows() == 30; }));

  // The register's disk is lost: restored from the backup, it catches up from the intake.
  const double register_restore = LoseAndRestore("register");
  const double register_start = StartSeconds();
  ASSERT_TRUE(WaitUntil([&] { return RegisterRows() == 30; })) << RegisterRows();
  ExpectStoresAndCheckpointsVerify("after the register's restore");

  // The intake's disk is lost: the 10 reports after the backup are gone from its store (the
  // register, which had applied them, keeps its rows); a report filed now reaches the register.
  // A restore under a running breachd is refused.
  EXPECT_NE(breachd_->Breachctl({"admin", "restore", "--backup-dir", dir_ + "/backups/intake",
                                 "--data-dir", dir_ + "/data/intake"},
                                kOperatorToken)
                .exit_code,
            0);
  const double intake_restore = LoseAndRestore("intake");
  const double intake_start = StartSeconds();
  EXPECT_EQ(IntakeBreaches(), 20u);
  ExpectStoresAndCheckpointsVerify("after the intake's restore");
  File(1, "restored");
  ASSERT_TRUE(WaitUntil([&] { return RegisterRows() == 31; })) << RegisterRows();
  ExpectStoresAndCheckpointsVerify("after a report on the restored intake");

  std::printf(
      "register (a consumer): 0 of 10 writes after the backup lost; RTO %.2f s "
      "(restore %.2f s + start %.2f s)\n"
      "intake (a source): 10 of 10 writes after the backup lost (RPO = time since the backup); "
      "RTO %.2f s (restore %.2f s + start %.2f s)\n",
      register_restore + register_start, register_restore, register_start,
      intake_restore + intake_start, intake_restore, intake_start);
}

}  // namespace
}  // namespace breachd
