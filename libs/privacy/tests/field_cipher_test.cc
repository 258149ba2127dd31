#include "libs/privacy/testing/test_keyring.h"
#include "libs/privacy/field_cipher.h"

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "breach/v1/events.pb.h"
#include "breach/v1/intake.pb.h"
#include "breach/v1/notification.pb.h"
#include "breach/v1/register.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/privacy/key_wrapper.h"
#include "libs/privacy/keyring.h"
#include "libs/privacy/personal_fields.h"

namespace breachd::privacy {
namespace {


std::unique_ptr<Keyring> OpenKeyring(const std::string& dir, char master_byte = '\x2a') {
  auto keyring = testing::OpenTestKeyring(dir, master_byte);
  EXPECT_TRUE(keyring.ok()) << keyring.status();
  return *std::move(keyring);
}

breach::v1::Report SampleReport() {
  breach::v1::Report report;
  report.set_breach_id("01J0000000000000000000000A");
  auto* form = report.mutable_report();
  form->set_tenant("MIIS01200V");
  form->set_place("Aula 12, Liceo Vespucci");
  form->mutable_reporter()->set_name("Mario Rossi");
  form->mutable_reporter()->set_email("mario.rossi@example.it");
  form->add_databases("Registro elettronico");
  form->set_description("Lost USB key with Giulia Bianchi's health certificate");
  form->set_approx_data_subjects(12);
  *report.mutable_current() = *form;
  auto* change = report.add_amendments()->add_changes();
  change->set_field("description");
  change->set_old_value(R"({"description":"Old text naming Luca Verdi"})");
  change->set_new_value(R"({"description":"New text naming Anna Neri"})");
  return report;
}

class FieldCipherTest : public ::testing::Test {
 protected:
  testing::ScratchDir dir_{"keyring"};
  std::unique_ptr<Keyring> keyring_ = OpenKeyring(dir_.path() + "/keyring");
  FieldCipher cipher_{*keyring_};
};

TEST_F(FieldCipherTest, SealedFieldsHoldNoPlaintextAndOpenBack) {
  breach::v1::Report report = SampleReport();
  ASSERT_TRUE(cipher_.SealPersonalData(report, "MIIS01200V").ok());
  const std::string bytes = report.SerializeAsString();
  for (const char* secret : {"Mario Rossi", "mario.rossi@", "Giulia Bianchi", "Aula 12",
                             "Registro elettronico", "Luca Verdi", "Anna Neri"}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
  }
  // Metadata stays in clear.
  EXPECT_EQ(report.report().tenant(), "MIIS01200V");
  EXPECT_EQ(report.report().approx_data_subjects(), 12);
  EXPECT_TRUE(IsSealed(report.report().reporter().name()));
  // An amendment's value is still JSON of a report (consumers apply it as before).
  breach::v1::BreachReport value;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  report.amendments(0).changes(0).new_value(), &value)
                  .ok());
  EXPECT_TRUE(IsSealed(value.description()));

  cipher_.OpenPersonalData(report);
  EXPECT_EQ(report.SerializeAsString(), [] {
    breach::v1::Report expected = SampleReport();
    // JSON values come back re-printed by protobuf's printer: the same text here.
    return expected.SerializeAsString();
  }());
}

// A misspelt name in the table would leave its field in clear without a word: every entry names
// a compiled message type and string fields of it.
TEST(PersonalFieldTableTest, EveryEntryNamesStringFieldsOfAKnownMessage) {
  // Linked in by use: the events (and what they import), the notification's and the register's.
  (void)breach::v1::BreachTriaged::descriptor();
  (void)breach::v1::Draft::descriptor();
  (void)breach::v1::RegisterEntry::descriptor();
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& [type, fields] : PersonalFieldTable()) {
    const google::protobuf::Descriptor* message = pool->FindMessageTypeByName(type);
    ASSERT_NE(message, nullptr) << type << " is not linked in or misspelt";
    for (const auto* names : {&fields.text, &fields.json}) {
      for (const std::string& name : *names) {
        const google::protobuf::FieldDescriptor* field = message->FindFieldByName(name);
        ASSERT_NE(field, nullptr) << type << "." << name;
        EXPECT_EQ(field->type(), google::protobuf::FieldDescriptor::TYPE_STRING)
            << type << "." << name;
      }
    }
    if (!fields.json.empty()) {
      EXPECT_NE(pool->FindMessageTypeByName(fields.json_type), nullptr) << type;
    }
  }
}

TEST_F(FieldCipherTest, AfterTheKeyIsDestroyedFieldsReadErasedAndNothingNewIsSealed) {
  breach::v1::Report report = SampleReport();
  ASSERT_TRUE(cipher_.SealPersonalData(report, "MIIS01200V").ok());
  breach::v1::Report other = SampleReport();
  other.mutable_report()->set_tenant("RMIC81500L");
  ASSERT_TRUE(cipher_.SealPersonalData(other, "RMIC81500L").ok());

  ASSERT_TRUE(keyring_->Destroy(SchoolKeyId("MIIS01200V"), absl::Now(), "test").ok());
  EXPECT_TRUE(cipher_.IsErased("MIIS01200V"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/keyring/school.MIIS01200V.key"));

  cipher_.OpenPersonalData(report);
  EXPECT_EQ(report.report().reporter().name(), kErased);
  EXPECT_EQ(report.current().description(), kErased);
  EXPECT_EQ(report.report().approx_data_subjects(), 12);
  cipher_.OpenPersonalData(other);
  EXPECT_EQ(other.report().reporter().name(), "Mario Rossi");

  // Never remade: sealing refuses, a whole message gets the marker instead of clear text.
  EXPECT_EQ(cipher_.Seal(SchoolKeyId("MIIS01200V"), "x").status().code(),
            absl::StatusCode::kFailedPrecondition);
  breach::v1::BreachReport late;
  late.set_description("Written after the erase: Paolo Gialli");
  ASSERT_TRUE(cipher_.SealPersonalData(late, "MIIS01200V").ok());
  EXPECT_EQ(late.description(), kErased);
}

TEST_F(FieldCipherTest, TwoProcessesSharingTheKeyringAgreeAndSeeADestroy) {
  auto second = OpenKeyring(dir_.path() + "/keyring");
  FieldCipher other(*second);
  auto sealed = cipher_.Seal(SchoolKeyId("MIIS01200V"), "Mario Rossi");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(other.Open(*sealed), "Mario Rossi");
  ASSERT_TRUE(second->Destroy(SchoolKeyId("MIIS01200V"), absl::Now(), "test").ok());
  EXPECT_EQ(cipher_.Open(*sealed), kErased);  // the first one's cache is not trusted
}

// One answer's batch reads the same texts as value-by-value opening; a batch made after an
// erasure (the next answer) reads it as erased, another school's values still open.
TEST_F(FieldCipherTest, ABatchOpensLikeOneByOneAndTheNextBatchSeesAnErase) {
  std::vector<std::string> sealed;
  for (const char* name : {"Mario Rossi", "Anna Neri", "Luca Verdi"}) {
    auto value = cipher_.Seal(SchoolKeyId("MIIS01200V"), name);
    ASSERT_TRUE(value.ok());
    sealed.push_back(*value);
  }
  auto other = cipher_.Seal(SchoolKeyId("RMIC81500L"), "Paolo Gialli");
  ASSERT_TRUE(other.ok());
  FieldCipher::Batch batch(cipher_);
  for (const std::string& value : sealed) EXPECT_EQ(batch.Open(value), cipher_.Open(value));
  EXPECT_EQ(batch.Open(*other), "Paolo Gialli");
  EXPECT_EQ(batch.Open("plain text"), "plain text");

  ASSERT_TRUE(keyring_->Destroy(SchoolKeyId("MIIS01200V"), absl::Now(), "test").ok());
  FieldCipher::Batch next(cipher_);
  for (const std::string& value : sealed) EXPECT_EQ(next.Open(value), kErased);
  EXPECT_EQ(next.Open(*other), "Paolo Gialli");
}

TEST_F(FieldCipherTest, AnotherMasterKeyOrATamperedValueIsUnreadable) {
  auto sealed = cipher_.Seal(SchoolKeyId("MIIS01200V"), "Mario Rossi");
  ASSERT_TRUE(sealed.ok());
  auto foreign = OpenKeyring(dir_.path() + "/keyring", '\x07');
  EXPECT_EQ(FieldCipher(*foreign).Open(*sealed), kUnreadable);
  std::string tampered = *sealed;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(cipher_.Open(tampered), kUnreadable);
  EXPECT_EQ(cipher_.Open("plain text"), "plain text");  // written before encryption existed
}

TEST(MasterKeyTest, FromAFileOrTheEnvironment) {
  testing::ScratchDir dir{"master"};
  const std::string path = dir.path() + "/master.key";
  auto created = LoadOrCreateMasterKey(path);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->size(), 32u);
  EXPECT_EQ(*LoadMasterKey(path), *created);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::group_read,
            std::filesystem::perms::none);
  EXPECT_EQ(LoadMasterKey(dir.path() + "/missing").status().code(), absl::StatusCode::kNotFound);
  ::setenv(kMasterKeyEnv, std::string(64, 'a').c_str(), 1);
  EXPECT_EQ(*LoadMasterKey(""), std::string(32, '\xaa'));
  ::setenv(kMasterKeyEnv, "short", 1);
  EXPECT_EQ(LoadMasterKey("").status().code(), absl::StatusCode::kInvalidArgument);
  ::unsetenv(kMasterKeyEnv);
}

}  // namespace
}  // namespace breachd::privacy
