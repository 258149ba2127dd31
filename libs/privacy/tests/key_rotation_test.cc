// Rotating a school's data key: new data is sealed under the new key id, what was sealed before
// still opens, every process sharing the keyring follows, and an erasure destroys every
// generation. And the KeyWrapper seam: another wrapper (a KMS's) plugs in, and its outage is
// UNAVAILABLE with nothing written.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "breach/v1/intake.pb.h"
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

std::unique_ptr<Keyring> OpenKeyring(const std::string& dir) {
  auto keyring = testing::OpenTestKeyring(dir, '\x33');
  EXPECT_TRUE(keyring.ok()) << keyring.status();
  return *std::move(keyring);
}

// The key id a sealed value names ("sealed:v1:<key id>:...").
std::string KeyIdOf(const std::string& sealed) {
  const std::string rest = sealed.substr(std::string("sealed:v1:").size());
  return rest.substr(0, rest.find(':'));
}

std::string SealedName(FieldCipher& cipher, const std::string& name) {
  breach::v1::BreachReport report;
  report.set_tenant(kSchool);
  report.mutable_reporter()->set_name(name);
  EXPECT_TRUE(cipher.SealPersonalData(report, kSchool).ok());
  return report.reporter().name();
}

class KeyRotationTest : public ::testing::Test {
 protected:
  testing::ScratchDir dir_{"rotation"};
  std::unique_ptr<Keyring> keyring_ = OpenKeyring(dir_.path() + "/keyring");
  FieldCipher cipher_{*keyring_};
};

TEST_F(KeyRotationTest, NewDataUsesTheNewKeyAndOldDataStillOpens) {
  const std::string before = SealedName(cipher_, "Mario Rossi");
  EXPECT_EQ(KeyIdOf(before), "school.MIIS01200V");
  auto current = keyring_->CurrentKeyId(SchoolKeyId(kSchool));
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(*current, "school.MIIS01200V");

  auto rotated = keyring_->Rotate(SchoolKeyId(kSchool));
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_EQ(*rotated, "school.MIIS01200V.2");
  const std::string after = SealedName(cipher_, "Giulia Bianchi");
  EXPECT_EQ(KeyIdOf(after), "school.MIIS01200V.2");
  EXPECT_EQ(cipher_.Open(before), "Mario Rossi");
  EXPECT_EQ(cipher_.Open(after), "Giulia Bianchi");

  auto again = keyring_->Rotate(SchoolKeyId(kSchool));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, "school.MIIS01200V.3");
  EXPECT_EQ(KeyIdOf(SealedName(cipher_, "Luca Verdi")), "school.MIIS01200V.3");
  auto live = keyring_->LiveKeys("school.MIIS01200V");
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(*live, (std::vector<std::string>{"school.MIIS01200V", "school.MIIS01200V.2",
                                             "school.MIIS01200V.3"}));
  // Another school is untouched.
  EXPECT_EQ(*keyring_->CurrentKeyId(SchoolKeyId("RMIC81500L")), "school.RMIC81500L");
}

TEST_F(KeyRotationTest, AnotherProcessSharingTheKeyringSealsUnderTheRotatedKey) {
  std::unique_ptr<Keyring> other = OpenKeyring(dir_.path() + "/keyring");
  FieldCipher other_cipher(*other);
  const std::string before = SealedName(other_cipher, "Mario Rossi");
  ASSERT_TRUE(keyring_->Rotate(SchoolKeyId(kSchool)).ok());
  const std::string after = SealedName(other_cipher, "Anna Neri");
  EXPECT_EQ(KeyIdOf(after), "school.MIIS01200V.2");
  EXPECT_EQ(cipher_.Open(after), "Anna Neri");
  EXPECT_EQ(other_cipher.Open(before), "Mario Rossi");
}

TEST_F(KeyRotationTest, AHandEditedPointerCannotRedirectToAnotherSchoolsKey) {
  std::ofstream(dir_.path() + "/keyring/school.MIIS01200V.current") << "school.RMIC81500L\n";
  EXPECT_EQ(keyring_->CurrentKeyId(SchoolKeyId(kSchool)).status().code(),
            absl::StatusCode::kDataLoss);
  breach::v1::BreachReport report;
  report.mutable_reporter()->set_name("Mario Rossi");
  EXPECT_FALSE(cipher_.SealPersonalData(report, kSchool).ok());
  EXPECT_EQ(report.reporter().name(), "Mario Rossi");  // nothing sealed under the wrong key
}

// The keeper: rotation recorded in every store; an erasure destroys every generation; no
// rotation after it.
TEST_F(KeyRotationTest, TheKeeperRecordsRotationsAndAnErasureDestroysEveryGeneration) {
  SimulatedClock clock(absl::FromUnixSeconds(1790000000));
  eventstore::Options options;
  options.clock = &clock;
  auto intake = eventstore::EventStore::Open(dir_.path() + "/intake", options);
  auto register_store = eventstore::EventStore::Open(dir_.path() + "/register", options);
  ASSERT_TRUE(intake.ok() && register_store.ok());
  TenantKeeper keeper(*keyring_,
                      {{"intake", {intake->get(), nullptr}},
                       {"register", {register_store->get(), nullptr}}},
                      clock);
  const std::string first = SealedName(cipher_, "Mario Rossi");
  auto rotated = keeper.RotateKey(RetentionActor(), kSchool, "yearly rotation");
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_EQ(rotated->previous_key(), "school.MIIS01200V");
  EXPECT_EQ(rotated->new_key(), "school.MIIS01200V.2");
  EXPECT_EQ(rotated->recorded_in_size(), 2);
  for (auto* store : {intake->get(), register_store->get()}) {
    auto audit = store->ReadStream(service::AuditStreamId(kSchool));
    ASSERT_TRUE(audit.ok());
    ASSERT_EQ(audit->size(), 1u);
    breach::v1::TenantKeyRotated event;
    ASSERT_TRUE(audit->front().payload().UnpackTo(&event));
    EXPECT_EQ(event.new_key(), "school.MIIS01200V.2");
    EXPECT_EQ(event.reason(), "yearly rotation");
  }
  const std::string second = SealedName(cipher_, "Giulia Bianchi");
  auto standing = keeper.Retention(kSchool);
  ASSERT_TRUE(standing.ok());
  EXPECT_EQ(standing->front().live_keys_size(), 2);

  auto erased = keeper.Erase(RetentionActor(), kSchool, "contract ended", "operator");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(std::vector<std::string>(erased->destroyed_keys().begin(),
                                     erased->destroyed_keys().end()),
            (std::vector<std::string>{"school.MIIS01200V", "school.MIIS01200V.2"}));
  EXPECT_EQ(cipher_.Open(first), kErased);
  EXPECT_EQ(cipher_.Open(second), kErased);
  EXPECT_EQ(keeper.RotateKey(RetentionActor(), kSchool, "again").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(keyring_->LiveKeys("school.MIIS01200V")->size(), 0u);
}

// A wrapper standing where a KMS would: wraps under a per-key-id secret it keeps to itself, and
// can be "down".
class TestKms final : public KeyWrapper {
 public:
  absl::StatusOr<std::string> Wrap(absl::string_view key_id, absl::string_view key) override {
    if (down) return absl::UnavailableError("kms: connection refused");
    ++wraps;
    return absl::StrCat("kms:", key_id, ":", Xor(key));
  }
  absl::StatusOr<std::string> Unwrap(absl::string_view key_id,
                                     absl::string_view wrapped) override {
    if (down) return absl::UnavailableError("kms: connection refused");
    const std::string prefix = absl::StrCat("kms:", key_id, ":");
    if (!absl::StartsWith(wrapped, prefix)) return absl::DataLossError("not wrapped for this id");
    return Xor(wrapped.substr(prefix.size()));
  }
  bool down = false;
  int wraps = 0;

 private:
  static std::string Xor(absl::string_view bytes) {
    std::string out(bytes);
    for (char& c : out) c = static_cast<char>(c ^ 0x5a);
    return out;
  }
};

TEST(KeyWrapperSeamTest, AnotherWrapperPlugsInAndItsOutageWritesNothing) {
  testing::ScratchDir dir("kms");
  auto owned = std::make_unique<TestKms>();
  TestKms* kms = owned.get();
  auto keyring = Keyring::Open(dir.path() + "/keyring", std::move(owned));
  ASSERT_TRUE(keyring.ok());
  FieldCipher cipher(**keyring);
  kms->down = true;
  breach::v1::BreachReport report;
  report.mutable_reporter()->set_name("Mario Rossi");
  const absl::Status refused = cipher.SealPersonalData(report, kSchool);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/keyring/school.MIIS01200V.key"));

  kms->down = false;
  const std::string sealed = SealedName(cipher, "Mario Rossi");
  EXPECT_EQ(kms->wraps, 1);
  ASSERT_TRUE((*keyring)->Rotate(SchoolKeyId(kSchool)).ok());
  EXPECT_EQ(kms->wraps, 2);
  // A second process through the same KMS opens what the first sealed.
  auto again = Keyring::Open(dir.path() + "/keyring", std::make_unique<TestKms>());
  ASSERT_TRUE(again.ok());
  FieldCipher other(**again);
  EXPECT_EQ(other.Open(sealed), "Mario Rossi");
}

}  // namespace
}  // namespace breachd::privacy
