// An erasure, or a pruning of read records, carried out in one process reaches the others
// through their consumers (TenantKeeper::Follow): each destroys the keys in its own keyring and
// records the act once in its store, however often the event arrives (bus, catch-up, the other
// stores' copies).
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "breach/v1/tenant.pb.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/testing/test_keyring.h"
#include "libs/privacy/field_cipher.h"
#include "libs/privacy/key_wrapper.h"
#include "libs/privacy/keyring.h"
#include "libs/privacy/tenant_keeper.h"
#include "libs/service/rpc_guard.h"

namespace breachd::privacy {
namespace {

constexpr char kSchool[] = "MIIS01200V";
constexpr char kOther[] = "RMIC81500L";

// One process: its own keyring folder (as when keyrings are not shared) and one store.
struct Process {
  Process(const std::string& dir, const std::string& service, const Clock& clock)
      : service(service) {
    std::filesystem::create_directories(dir);
    auto opened = testing::OpenTestKeyring(dir + "/keyring", '\x44');
    EXPECT_TRUE(opened.ok());
    keyring = *std::move(opened);
    eventstore::Options options;
    options.clock = &clock;
    auto opened_store = eventstore::EventStore::Open(dir + "/" + service, options);
    EXPECT_TRUE(opened_store.ok()) << opened_store.status();
    store = *std::move(opened_store);
    keeper = std::make_unique<TenantKeeper>(
        *keyring, std::map<std::string, KeeperStore>{{service, {store.get(), nullptr}}}, clock);
  }

  std::vector<breach::v1::EventEnvelope> Audit(const std::string& tenant) {
    auto events = store->ReadStream(service::AuditStreamId(tenant));
    EXPECT_TRUE(events.ok()) << events.status();
    return *events;
  }

  // Passes every event of `from`'s audit stream of `tenant` to this process's consumer.
  void FollowAll(Process& from, const std::string& tenant) {
    for (const auto& event : from.Audit(tenant)) {
      ASSERT_TRUE(keeper->Follow(service, event).ok());
    }
  }

  std::string service;
  std::unique_ptr<Keyring> keyring;
  std::unique_ptr<eventstore::EventStore> store;
  std::unique_ptr<TenantKeeper> keeper;
};

class ErasureFollowTest : public ::testing::Test {
 protected:
  testing::ScratchDir dir_{"follow"};
  SimulatedClock clock_{absl::FromUnixSeconds(1790000000)};
  Process intake_{dir_.path() + "/a", "intake", clock_};
  Process register_{dir_.path() + "/b", "register", clock_};
};

TEST_F(ErasureFollowTest, AnotherProcessDestroysTheKeysAndRecordsTheErasureOnce) {
  FieldCipher register_cipher(*register_.keyring);
  auto sealed = register_cipher.Seal(SchoolKeyId(kSchool), "Mario Rossi");
  auto kept = register_cipher.Seal(SchoolKeyId(kOther), "Giulia Bianchi");
  ASSERT_TRUE(sealed.ok() && kept.ok());

  ASSERT_TRUE(intake_.keeper->Erase(RetentionActor(), kSchool, "contract ended", "operator").ok());
  const std::vector<breach::v1::EventEnvelope> erased_in_intake = intake_.Audit(kSchool);
  ASSERT_EQ(erased_in_intake.size(), 1u);
  breach::v1::TenantErased original;
  ASSERT_TRUE(erased_in_intake[0].payload().UnpackTo(&original));
  EXPECT_FALSE(original.erasure_id().empty());
  EXPECT_TRUE(original.followed_from().empty());

  // The register's consumer sees it (twice: the bus, then a catch-up).
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(register_.keeper->Follow("register", erased_in_intake[0]).ok());
  }
  EXPECT_EQ(register_cipher.Open(*sealed), kErased);
  EXPECT_EQ(register_cipher.Open(*kept), "Giulia Bianchi");
  EXPECT_TRUE(register_.keyring->IsDestroyed(SchoolKeyId(kSchool)));
  const std::vector<breach::v1::EventEnvelope> followed = register_.Audit(kSchool);
  ASSERT_EQ(followed.size(), 1u);
  breach::v1::TenantErased copy;
  ASSERT_TRUE(followed[0].payload().UnpackTo(&copy));
  EXPECT_EQ(copy.erasure_id(), original.erasure_id());
  EXPECT_EQ(copy.followed_from(), "intake");
  EXPECT_EQ(copy.destroyed_keys(0), "school.MIIS01200V");
  EXPECT_EQ(followed[0].source(), "register");
  EXPECT_EQ(followed[0].actor().subject(), erased_in_intake[0].actor().subject());

  // The register's copy comes back to the intake: nothing more is recorded there.
  ASSERT_TRUE(intake_.keeper->Follow("intake", followed[0]).ok());
  EXPECT_EQ(intake_.Audit(kSchool).size(), 1u);
  // An event of the store's own service is not followed.
  ASSERT_TRUE(register_.keeper->Follow("register", followed[0]).ok());
  EXPECT_EQ(register_.Audit(kSchool).size(), 1u);
  auto verified = register_.store->Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok) << verified->problem;
}

TEST_F(ErasureFollowTest, AMessageCannotDestroyAnotherSchoolsKeys) {
  FieldCipher register_cipher(*register_.keyring);
  auto kept = register_cipher.Seal(SchoolKeyId(kOther), "Giulia Bianchi");
  ASSERT_TRUE(kept.ok());
  ASSERT_TRUE(intake_.keeper->Erase(RetentionActor(), kSchool, "contract ended", "operator").ok());
  breach::v1::EventEnvelope forged = intake_.Audit(kSchool)[0];
  breach::v1::TenantErased erased;
  ASSERT_TRUE(forged.payload().UnpackTo(&erased));
  erased.add_destroyed_keys(SchoolKeyId(kOther));
  forged.mutable_payload()->PackFrom(erased);
  ASSERT_TRUE(register_.keeper->Follow("register", forged).ok());
  EXPECT_TRUE(register_.keyring->IsDestroyed(SchoolKeyId(kSchool)));
  EXPECT_EQ(register_cipher.Open(*kept), "Giulia Bianchi");
}

TEST_F(ErasureFollowTest, OtherEventsAndOlderErasuresWithoutAnIdRecordNothing) {
  ASSERT_TRUE(intake_.keeper->SetContractEnd(RetentionActor(), kSchool,
                                             absl::FromUnixSeconds(1790000000)).ok());
  ASSERT_TRUE(register_.keeper->Follow("register", intake_.Audit(kSchool)[0]).ok());
  EXPECT_TRUE(register_.Audit(kSchool).empty());

  // An erasure recorded before erasure ids: its keys go, nothing is recorded.
  breach::v1::TenantErased legacy;
  legacy.set_tenant(kSchool);
  legacy.add_destroyed_keys(SchoolKeyId(kSchool));
  breach::v1::EventEnvelope event = intake_.Audit(kSchool)[0];
  event.set_type(breach::v1::TenantErased::descriptor()->full_name());
  event.mutable_payload()->PackFrom(legacy);
  ASSERT_TRUE(register_.keeper->Follow("register", event).ok());
  EXPECT_TRUE(register_.keyring->IsDestroyed(SchoolKeyId(kSchool)));
  EXPECT_TRUE(register_.Audit(kSchool).empty());
}

TEST_F(ErasureFollowTest, APruningOfReadRecordsIsFollowedAndRecordedOnce) {
  // Reads of January 2024 in both keyrings (separate folders: each made its own month key).
  const absl::Time january = absl::FromCivil(absl::CivilDay(2024, 1, 10), absl::UTCTimeZone());
  FieldCipher intake_cipher(*intake_.keyring);
  FieldCipher register_cipher(*register_.keyring);
  auto read = register_cipher.Seal(ReadsKeyId(kSchool, january), "user:dpo@vespucci");
  auto data = register_cipher.Seal(SchoolKeyId(kSchool), "Mario Rossi");
  ASSERT_TRUE(intake_cipher.Seal(ReadsKeyId(kSchool, january), "user:dpo@vespucci").ok());
  ASSERT_TRUE(read.ok() && data.ok());

  // The intake's retention job prunes them (the clock is in 2026).
  ASSERT_TRUE(intake_.keeper->RunRetention().ok());
  const std::vector<breach::v1::EventEnvelope> in_intake = intake_.Audit(kSchool);
  ASSERT_EQ(in_intake.size(), 1u);
  breach::v1::ReadRecordsPruned original;
  ASSERT_TRUE(in_intake[0].payload().UnpackTo(&original));
  EXPECT_FALSE(original.pruning_id().empty());
  EXPECT_TRUE(original.followed_from().empty());

  // The register follows it twice (bus, catch-up): the key goes, one record.
  register_.FollowAll(intake_, kSchool);
  register_.FollowAll(intake_, kSchool);
  EXPECT_EQ(register_cipher.Open(*read), kErased);
  EXPECT_EQ(register_cipher.Open(*data), "Mario Rossi");
  const std::vector<breach::v1::EventEnvelope> followed = register_.Audit(kSchool);
  ASSERT_EQ(followed.size(), 1u);
  breach::v1::ReadRecordsPruned copy;
  ASSERT_TRUE(followed[0].payload().UnpackTo(&copy));
  EXPECT_EQ(copy.pruning_id(), original.pruning_id());
  EXPECT_EQ(copy.followed_from(), "intake");
  EXPECT_EQ(copy.destroyed_keys(0), "reads.MIIS01200V.2024-01");
  EXPECT_EQ(followed[0].source(), "register");

  // Its copy comes back to the intake: nothing more recorded. Its own run prunes nothing more.
  intake_.FollowAll(register_, kSchool);
  ASSERT_TRUE(register_.keeper->RunRetention().ok());
  EXPECT_EQ(intake_.Audit(kSchool).size(), 1u);
  EXPECT_EQ(register_.Audit(kSchool).size(), 1u);
  auto verified = register_.store->Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok) << verified->problem;
}

TEST_F(ErasureFollowTest, APruningCannotDestroyTheSchoolsDataKey) {
  FieldCipher register_cipher(*register_.keyring);
  auto data = register_cipher.Seal(SchoolKeyId(kSchool), "Mario Rossi");
  ASSERT_TRUE(data.ok());
  breach::v1::ReadRecordsPruned forged;
  forged.set_tenant(kSchool);
  forged.set_pruning_id("01J0000000000000000000000A");
  forged.add_destroyed_keys(SchoolKeyId(kSchool));
  forged.add_destroyed_keys("reads.RMIC81500L.2024-01");
  ASSERT_TRUE(intake_.keeper->SetContractEnd(RetentionActor(), kSchool,
                                             absl::FromUnixSeconds(1790000000)).ok());
  breach::v1::EventEnvelope event = intake_.Audit(kSchool)[0];
  event.set_type(breach::v1::ReadRecordsPruned::descriptor()->full_name());
  event.mutable_payload()->PackFrom(forged);
  ASSERT_TRUE(register_.keeper->Follow("register", event).ok());
  EXPECT_EQ(register_cipher.Open(*data), "Mario Rossi");
  EXPECT_FALSE(register_.keyring->IsDestroyed("reads.RMIC81500L.2024-01"));
}

}  // namespace
}  // namespace breachd::privacy
