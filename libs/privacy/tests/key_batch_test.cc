// Keys made and looked up by the batch: Keyring::KeysForWriting makes the missing keys of many
// schools with one sync of the folder, and FieldCipher::Batch seals a batch of schools with
// each school's key looked up once. Crash safety: the keys exist (linked and synced) when
// PrepareToSeal returns, before anything sealed with them is written. What a Batch may serve
// after another process rotates or erases (field_cipher.h): the batch's key, never clear text.
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "breach/v1/intake.pb.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/privacy/field_cipher.h"
#include "libs/privacy/keyring.h"
#include "libs/privacy/testing/test_keyring.h"

namespace breachd::privacy {
namespace {

std::unique_ptr<Keyring> OpenKeyring(const std::string& dir) {
  auto keyring = testing::OpenTestKeyring(dir, '\x44');
  EXPECT_TRUE(keyring.ok()) << keyring.status();
  return *std::move(keyring);
}

// The file names in `dir`.
std::set<std::string> Files(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

// The key id a sealed value names ("sealed:v1:<key id>:...").
std::string KeyIdOf(const std::string& sealed) {
  const std::string rest = sealed.substr(std::string("sealed:v1:").size());
  return rest.substr(0, rest.find(':'));
}

breach::v1::BreachReport ReportOf(const std::string& school, const std::string& name) {
  breach::v1::BreachReport report;
  report.set_tenant(school);
  report.mutable_reporter()->set_name(name);
  return report;
}

class KeyBatchTest : public ::testing::Test {
 protected:
  testing::ScratchDir dir_{"key-batch"};
  const std::string folder_ = dir_.path() + "/keyring";
  std::unique_ptr<Keyring> keyring_ = OpenKeyring(folder_);
  FieldCipher cipher_{*keyring_};
};

TEST_F(KeyBatchTest, MakesEveryMissingKeyOnceAndAnotherProcessReadsThem) {
  ASSERT_TRUE(keyring_->KeyForWriting("school.A1").ok());  // one already there
  const std::vector<std::string> ids = {"school.A1", "school.B2", "school.C3", "school.B2",
                                        "school.D4", "school.E5"};
  auto keys = keyring_->KeysForWriting(ids);
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), ids.size());
  for (const auto& key : *keys) EXPECT_NE(key, nullptr);
  EXPECT_EQ((*keys)[1], (*keys)[3]);  // the same id twice: one key
  // One file per key, nothing left aside.
  EXPECT_EQ(Files(folder_), (std::set<std::string>{"school.A1.key", "school.B2.key",
                                                   "school.C3.key", "school.D4.key",
                                                   "school.E5.key"}));
  // Another process sharing the folder gets the same keys, and asking again makes none.
  auto other = OpenKeyring(folder_);
  for (size_t i = 0; i < ids.size(); ++i) {
    auto read = other->KeyForReading(ids[i]);
    ASSERT_TRUE(read.ok() && *read != nullptr) << ids[i];
    EXPECT_EQ((*read)->bytes, (*keys)[i]->bytes) << ids[i];
  }
  auto again = other->KeysForWriting(ids);
  ASSERT_TRUE(again.ok());
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ((*again)[i]->bytes, (*keys)[i]->bytes);
  EXPECT_EQ(Files(folder_).size(), 5u);
}

TEST_F(KeyBatchTest, ADestroyedKeyIsNotRemadeAndABadIdMakesNothing) {
  ASSERT_TRUE(keyring_->Destroy("school.B2", absl::UnixEpoch(), "erased").ok());
  auto keys = keyring_->KeysForWriting({"school.A1", "school.B2"});
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_NE((*keys)[0], nullptr);
  EXPECT_EQ((*keys)[1], nullptr);
  EXPECT_FALSE(std::filesystem::exists(folder_ + "/school.B2.key"));
  EXPECT_EQ(keyring_->KeyForWriting("school.B2").status().code(),
            absl::StatusCode::kFailedPrecondition);

  const std::set<std::string> before = Files(folder_);
  EXPECT_EQ(keyring_->KeysForWriting({"school.C3", "../school.D4"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Files(folder_), before);
}

// The durability order the import and the fan-out rely on: PrepareToSeal returns only once the
// keys are linked and the folder synced, and their rows are sealed and written after it. So
// when the batch is sealed, before any row of it exists, every key it names is in the folder.
TEST_F(KeyBatchTest, PrepareToSealMakesTheBatchsKeysBeforeAnythingIsSealed) {
  const std::vector<std::string> schools = {"AAAA00001A", "BBBB00002B", "CCCC00003C",
                                            "DDDD00004D", "EEEE00005E"};
  FieldCipher::Batch batch(cipher_);
  ASSERT_TRUE(batch.PrepareToSeal(schools).ok());
  for (const std::string& school : schools) {
    EXPECT_TRUE(std::filesystem::exists(folder_ + "/school." + school + ".key")) << school;
  }
  const std::set<std::string> made = Files(folder_);
  std::vector<breach::v1::BreachReport> reports;
  for (const std::string& school : schools) {
    reports.push_back(ReportOf(school, "DPO of " + school));
    ASSERT_TRUE(batch.SealPersonalData(reports.back(), school).ok());
    EXPECT_EQ(KeyIdOf(reports.back().reporter().name()), "school." + school);
  }
  EXPECT_EQ(Files(folder_), made);  // sealing made no key of its own
  // Another process opens them all.
  auto other = OpenKeyring(folder_);
  FieldCipher reader(*other);
  for (size_t i = 0; i < schools.size(); ++i) {
    EXPECT_EQ(reader.Open(reports[i].reporter().name()), "DPO of " + schools[i]);
  }
}

// The rule of field_cipher.h: a batch keeps the key it looked up; the next batch follows a
// rotation made by another process; what either sealed opens.
TEST_F(KeyBatchTest, ARotationByAnotherProcessIsFollowedByTheNextBatch) {
  const std::string school = "AAAA00001A";
  FieldCipher::Batch batch(cipher_);
  ASSERT_TRUE(batch.PrepareToSeal({school}).ok());
  auto other = OpenKeyring(folder_);
  auto rotated = other->Rotate(SchoolKeyId(school));
  ASSERT_TRUE(rotated.ok()) << rotated.status();

  breach::v1::BreachReport during = ReportOf(school, "Mario Rossi");
  ASSERT_TRUE(batch.SealPersonalData(during, school).ok());
  EXPECT_EQ(KeyIdOf(during.reporter().name()), "school.AAAA00001A");  // the batch's key
  FieldCipher::Batch next(cipher_);
  breach::v1::BreachReport after = ReportOf(school, "Giulia Bianchi");
  ASSERT_TRUE(next.SealPersonalData(after, school).ok());
  EXPECT_EQ(KeyIdOf(after.reporter().name()), *rotated);
  FieldCipher reader(*other);
  EXPECT_EQ(reader.Open(during.reporter().name()), "Mario Rossi");
  EXPECT_EQ(reader.Open(after.reporter().name()), "Giulia Bianchi");
}

// An erasure by another process in the middle of a batch: what the batch still seals is under a
// destroyed key, so it reads [erased], never in clear; the next batch writes [erased] outright.
TEST_F(KeyBatchTest, AnErasureByAnotherProcessLeavesNothingReadable) {
  const std::string school = "AAAA00001A";
  FieldCipher::Batch batch(cipher_);
  ASSERT_TRUE(batch.PrepareToSeal({school, "BBBB00002B"}).ok());
  auto other = OpenKeyring(folder_);
  ASSERT_TRUE(other->Destroy(SchoolKeyId(school), absl::UnixEpoch(), "erased").ok());

  breach::v1::BreachReport during = ReportOf(school, "Mario Rossi");
  ASSERT_TRUE(batch.SealPersonalData(during, school).ok());
  EXPECT_NE(during.reporter().name(), "Mario Rossi");
  EXPECT_EQ(cipher_.Open(during.reporter().name()), kErased);
  EXPECT_EQ(FieldCipher(*other).Open(during.reporter().name()), kErased);

  FieldCipher::Batch next(cipher_);
  ASSERT_TRUE(next.PrepareToSeal({school}).ok());
  breach::v1::BreachReport after = ReportOf(school, "Mario Rossi");
  ASSERT_TRUE(next.SealPersonalData(after, school).ok());
  EXPECT_EQ(after.reporter().name(), kErased);
  EXPECT_FALSE(std::filesystem::exists(folder_ + "/school.AAAA00001A.key"));  // not remade
}

}  // namespace
}  // namespace breachd::privacy
