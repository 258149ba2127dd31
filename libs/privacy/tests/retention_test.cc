// Retention as the system executes it, on a SimulatedClock: a school is erased 12 months after
// its contract ends, read-record keys go 24 months after their month, each recorded as an event,
// and the chains still verify. Plus the pure plan's month arithmetic.
#include <memory>
#include <string>

#include "breach/v1/tenant.pb.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/testing/test_keyring.h"
#include "libs/privacy/field_cipher.h"
#include "libs/privacy/key_wrapper.h"
#include "libs/privacy/keyring.h"
#include "libs/privacy/retention.h"
#include "libs/privacy/tenant_keeper.h"
#include "libs/service/rpc_guard.h"

namespace breachd::privacy {
namespace {

absl::Time Utc(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

TEST(RetentionPlanTest, ErasureIsDueTwelveCalendarMonthsAfterTheContractEnds) {
  const RetentionPolicy policy;
  EXPECT_EQ(EraseDueAt(policy, Utc(2026, 6, 30)), Utc(2027, 6, 30));
  const std::map<std::string, absl::Time> ends = {{"AAAA00001A", Utc(2026, 6, 30)},
                                                  {"BBBB00002B", Utc(2026, 9, 1)}};
  EXPECT_TRUE(PlanRetention(policy, Utc(2027, 6, 29), ends, {}, {}).erase_tenants.empty());
  EXPECT_EQ(PlanRetention(policy, Utc(2027, 6, 30), ends, {}, {}).erase_tenants,
            std::vector<std::string>{"AAAA00001A"});
  EXPECT_TRUE(PlanRetention(policy, Utc(2027, 7, 1), ends, {"AAAA00001A"}, {}).erase_tenants.empty());
}

TEST(RetentionPlanTest, ReadRecordsAreKeptTwentyFourWholeMonths) {
  const RetentionPolicy policy;
  const std::vector<std::string> keys = {"reads.AAAA00001A.2026-01", "reads.AAAA00001A.2026-02",
                                         "reads.AAAA00001A.bad", "school.AAAA00001A"};
  // January 2026's records are kept through January 2028.
  EXPECT_TRUE(PlanRetention(policy, Utc(2028, 1, 31), {}, {}, keys).prune_read_keys.empty());
  EXPECT_EQ(PlanRetention(policy, Utc(2028, 2, 1), {}, {}, keys).prune_read_keys,
            std::vector<std::string>{"reads.AAAA00001A.2026-01"});
}

class RetentionJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keyring = testing::OpenTestKeyring(dir_.path() + "/keyring", '\x11');
    ASSERT_TRUE(keyring.ok());
    keyring_ = *std::move(keyring);
    cipher_ = std::make_unique<FieldCipher>(*keyring_);
    eventstore::Options options;
    options.clock = &clock_;
    auto store = eventstore::EventStore::Open(dir_.path() + "/intake", options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    keeper_ = std::make_unique<TenantKeeper>(
        *keyring_, std::map<std::string, KeeperStore>{{"intake", {store_.get(), nullptr}}},
        clock_);
  }

  // The types of the events on the school's audit stream, in order.
  std::vector<std::string> AuditTypes(const std::string& tenant) {
    auto events = store_->ReadStream(service::AuditStreamId(tenant));
    EXPECT_TRUE(events.ok()) << events.status();
    std::vector<std::string> types;
    for (const auto& event : *events) types.push_back(event.type());
    return types;
  }

  testing::ScratchDir dir_{"retention"};
  SimulatedClock clock_{Utc(2026, 1, 15)};
  std::unique_ptr<Keyring> keyring_;
  std::unique_ptr<FieldCipher> cipher_;
  std::unique_ptr<eventstore::EventStore> store_;
  std::unique_ptr<TenantKeeper> keeper_;
};

TEST_F(RetentionJobTest, TheJobErasesASchoolWhenDueAndPrunesOldReadRecords) {
  const std::string kEnding = "AAAA00001A";
  const std::string kStaying = "BBBB00002B";
  auto data = cipher_->Seal(SchoolKeyId(kEnding), "Mario Rossi");
  auto kept = cipher_->Seal(SchoolKeyId(kStaying), "Giulia Bianchi");
  auto old_read = cipher_->Seal(ReadsKeyId(kStaying, clock_.Now()), "user:dpo@bianchi");
  ASSERT_TRUE(data.ok() && kept.ok() && old_read.ok());
  ASSERT_TRUE(keeper_->SetContractEnd(RetentionActor(), kEnding, Utc(2026, 3, 31)).ok());

  keeper_->Start(absl::Hours(24));  // runs daily on the simulated clock
  clock_.AdvanceTo(Utc(2027, 3, 30));
  EXPECT_EQ(cipher_->Open(*data), "Mario Rossi");
  clock_.AdvanceTo(Utc(2027, 4, 1));  // contract end + 12 months has passed
  EXPECT_EQ(cipher_->Open(*data), kErased);
  EXPECT_EQ(cipher_->Open(*kept), "Giulia Bianchi");
  EXPECT_EQ(AuditTypes(kEnding),
            (std::vector<std::string>{"breach.v1.ContractEndSet", "breach.v1.TenantErased"}));
  auto standing = keeper_->Retention(kEnding);
  ASSERT_TRUE(standing.ok());
  EXPECT_TRUE(standing->front().erased());

  // January 2026's read records: kept until the end of January 2028, then unreadable.
  clock_.AdvanceTo(Utc(2028, 1, 31));
  EXPECT_EQ(cipher_->Open(*old_read), "user:dpo@bianchi");
  clock_.AdvanceTo(Utc(2028, 2, 2));
  EXPECT_EQ(cipher_->Open(*old_read), kErased);
  EXPECT_EQ(cipher_->Open(*kept), "Giulia Bianchi");
  EXPECT_EQ(AuditTypes(kStaying), std::vector<std::string>{"breach.v1.ReadRecordsPruned"});

  auto verified = store_->Verify();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->ok) << verified->problem;
}

TEST_F(RetentionJobTest, EraseNeedsAValidCodeAndIsRecorded) {
  EXPECT_EQ(keeper_->Erase(RetentionActor(), "../etc", "x", "operator").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(keeper_->Erase(RetentionActor(), "provider", "x", "operator").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto erased = keeper_->Erase(RetentionActor(), "AAAA00001A", "end of contract", "operator");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->destroyed_keys(0), "school.AAAA00001A");
  EXPECT_EQ(erased->recorded_in(0), "intake");
  EXPECT_TRUE(cipher_->IsErased("AAAA00001A"));
}

}  // namespace
}  // namespace breachd::privacy
