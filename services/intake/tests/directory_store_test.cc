// The directory's import into the intake's store: bad rows reported with their row numbers and
// the rest imported, re-import updating rather than duplicating, one SchoolImported per change,
// batches of kDirectoryBatchSize streams.
#include "services/intake/directory_store.h"

#include <filesystem>

#include "breach/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/directory/generator.h"
#include "libs/directory/school_csv.h"
#include "libs/privacy/testing/test_keyring.h"
#include "libs/privacy/key_wrapper.h"
#include "libs/privacy/keyring.h"

namespace breachd::intake {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;

const auth::Principal kOperator{"user:ops-admin", "provider", {"provider-operator"}};
const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);

constexpr char kHeader[] =
    "CODICESCUOLA,DENOMINAZIONESCUOLA,INDIRIZZOSCUOLA,CAPSCUOLA,DESCRIZIONECOMUNE,"
    "INDIRIZZOEMAILSCUOLA,INDIRIZZOPECSCUOLA,SERVIZI\n";

class DirectoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = eventstore::EventStore::Open(dir_.path() + "/intake");
    ASSERT_THAT(opened.status(), IsOk());
    store_ = std::move(*opened);
  }

  breachd::testing::ScratchDir dir_{"directory"};
  std::unique_ptr<eventstore::EventStore> store_;
};

TEST_F(DirectoryStoreTest, BadRowsAreReportedWithTheirRowAndTheRestIsImported) {
  const std::string csv = std::string(kHeader) +
                          "MIIS01200V,IIS Galilei,Via Roma 1,20100,Milano,miis01200v@istruzione.it,"
                          "miis01200v@pec.istruzione.it,registro\n"
                          "RMIC81500L,IC Manzoni,Via Po 2,2013,Roma,rmic81500l@istruzione.it,"
                          "rmic81500l@pec.istruzione.it,registro\n"
                          "NAIC00100A,IC Dante,Via Toledo 3,80100,Napoli,naic00100a@istruzione.it,"
                          "naic00100a@pec.istruzione.it,registro;segreteria\n";
  ASSERT_OK_AND_ASSIGN(auto response, ImportDirectory(*store_, csv, kOperator, kNow));
  EXPECT_EQ(response.added(), 2);
  EXPECT_EQ(response.total(), 2);
  ASSERT_EQ(response.errors_size(), 1);
  EXPECT_EQ(response.errors(0).row(), 3);
  EXPECT_EQ(response.errors(0).column(), "CAPSCUOLA");
  EXPECT_EQ(response.skipped(), 1);

  ASSERT_OK_AND_ASSIGN(auto schools, LoadDirectory(*store_));
  EXPECT_EQ(schools.size(), 2u);
  EXPECT_EQ(schools.at("NAIC00100A").services,
            (std::vector<std::string>{"registro", "segreteria"}));
  ASSERT_OK_AND_ASSIGN(auto events, store_->ReadStream("school-MIIS01200V"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].tenant(), "MIIS01200V");
  breach::v1::SchoolImported imported;
  ASSERT_TRUE(events[0].payload().UnpackTo(&imported));
  EXPECT_TRUE(imported.added());
  EXPECT_EQ(imported.school().pec(), "miis01200v@pec.istruzione.it");
}

TEST_F(DirectoryStoreTest, ReimportUpdatesChangedSchoolsAndKeepsMissingOnes) {
  std::vector<directory::School> schools = directory::GenerateDirectory(20, 3);
  ASSERT_OK_AND_ASSIGN(auto first,
                       ImportDirectory(*store_, directory::WriteSchoolCsv(schools), kOperator, kNow));
  EXPECT_EQ(first.added(), 20);
  EXPECT_EQ(first.errors_size(), 0);

  schools[4].pec = "nuova@pec.istruzione.it";
  schools.erase(schools.begin() + 10, schools.end());  // a partial file drops nobody
  ASSERT_OK_AND_ASSIGN(auto second, ImportDirectory(*store_, directory::WriteSchoolCsv(schools),
                                                    kOperator, kNow + absl::Minutes(1)));
  EXPECT_EQ(second.added(), 0);
  EXPECT_EQ(second.updated(), 1);
  EXPECT_EQ(second.unchanged(), 9);
  EXPECT_EQ(second.total(), 20);
  ASSERT_OK_AND_ASSIGN(auto stored, LoadDirectory(*store_));
  EXPECT_EQ(stored.size(), 20u);
  EXPECT_EQ(stored.at(schools[4].code).pec, "nuova@pec.istruzione.it");
  ASSERT_OK_AND_ASSIGN(auto events, store_->ReadStream(SchoolStreamId(schools[4].code)));
  EXPECT_EQ(events.size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto untouched, store_->ReadStream(SchoolStreamId(schools[5].code)));
  EXPECT_EQ(untouched.size(), 1u);
}

// The DPO's name and e-mail are sealed with the school's key in the row and the event; loaded
// opened, so a re-import of the same file still finds every school unchanged.
TEST_F(DirectoryStoreTest, TheDposContactIsSealedAtRestAndAReimportFindsItUnchanged) {
  ASSERT_OK_AND_ASSIGN(auto keyring, breachd::testing::OpenTestKeyring(dir_.path() + "/keyring"));
  privacy::FieldCipher cipher(*keyring);
  const std::vector<directory::School> schools = directory::GenerateDirectory(3, 7);
  const std::string csv = directory::WriteSchoolCsv(schools);
  ASSERT_OK_AND_ASSIGN(auto first, ImportDirectory(*store_, csv, kOperator, kNow, &cipher));
  EXPECT_EQ(first.added(), 3);

  ASSERT_OK_AND_ASSIGN(auto row, FindDirectorySchool(*store_, schools[0].code));
  ASSERT_TRUE(row.has_value());
  EXPECT_TRUE(privacy::IsSealed(row->dpo_name()));
  EXPECT_TRUE(privacy::IsSealed(row->dpo_email()));
  EXPECT_EQ(row->pec(), schools[0].pec);  // the school's own mailbox is no person's
  ASSERT_OK_AND_ASSIGN(auto events, store_->ReadStream(SchoolStreamId(schools[0].code)));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].payload().value().find(schools[0].dpo_email), std::string::npos);

  ASSERT_OK_AND_ASSIGN(auto second, ImportDirectory(*store_, csv, kOperator, kNow, &cipher));
  EXPECT_EQ(second.unchanged(), 3);
  EXPECT_EQ(second.updated(), 0);
  ASSERT_OK_AND_ASSIGN(auto opened, LoadDirectory(*store_, &cipher));
  EXPECT_EQ(opened.at(schools[0].code).dpo_email, schools[0].dpo_email);
}

// Crash safety of the import's keys: each batch's keys are made together (one keyring sync,
// Keyring::KeysForWriting) and are durable when DirectoryWrites returns, before any of the
// rows sealed with them is written: at that point every key a sealed value names is a file
// of the keyring, and nothing is in the store yet.
TEST_F(DirectoryStoreTest, EveryKeyASealedRowNamesExistsBeforeTheRowIsWritten) {
  const std::string folder = dir_.path() + "/keyring";
  ASSERT_OK_AND_ASSIGN(auto keyring, breachd::testing::OpenTestKeyring(folder));
  privacy::FieldCipher cipher(*keyring);
  directory::DirectoryChanges changes;
  changes.added = directory::GenerateDirectory(7, 3);
  ASSERT_OK_AND_ASSIGN(const auto batches,
                       DirectoryWrites(changes, kOperator, kNow, /*batch_size=*/3, &cipher));
  ASSERT_EQ(batches.size(), 3u);
  ASSERT_OK_AND_ASSIGN(auto stored, LoadDirectory(*store_));
  EXPECT_TRUE(stored.empty());
  int sealed = 0;
  for (const auto& batch : batches) {
    for (const auto& append : batch) {
      breach::v1::DirectorySchool row;
      ASSERT_TRUE(row.ParseFromString(append.projection[0].value));
      for (const std::string& value : {row.dpo_name(), row.dpo_email()}) {
        ASSERT_TRUE(privacy::IsSealed(value)) << value;
        // "sealed:v1:<key id>:..."
        const std::string key_id = value.substr(10, value.find(':', 10) - 10);
        EXPECT_EQ(key_id, privacy::SchoolKeyId(row.code()));
        EXPECT_TRUE(std::filesystem::exists(folder + "/" + key_id + ".key")) << key_id;
        ++sealed;
      }
    }
  }
  EXPECT_EQ(sealed, 14);
}

TEST_F(DirectoryStoreTest, AFileWithoutARequiredColumnImportsNothing) {
  EXPECT_THAT(ImportDirectory(*store_, "CODICESCUOLA,DENOMINAZIONESCUOLA\nMIIS01200V,X\n",
                              kOperator, kNow)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("INDIRIZZOPECSCUOLA")));
  ASSERT_OK_AND_ASSIGN(auto stored, LoadDirectory(*store_));
  EXPECT_TRUE(stored.empty());
}

TEST(DirectoryWritesTest, GroupsTheChangesInBatchesOfStreams) {
  directory::DirectoryChanges changes;
  changes.added = directory::GenerateDirectory(1201, 5);
  ASSERT_OK_AND_ASSIGN(const auto batches, DirectoryWrites(changes, kOperator, kNow));
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].size(), kDirectoryBatchSize);
  EXPECT_EQ(batches[2].size(), 1201 - 2 * kDirectoryBatchSize);
  EXPECT_EQ(batches[0][0].stream_id, SchoolStreamId(changes.added[0].code));
  EXPECT_EQ(batches[0][0].projection[0].key, DirectoryKey(changes.added[0].code));
}

}  // namespace
}  // namespace breachd::intake
