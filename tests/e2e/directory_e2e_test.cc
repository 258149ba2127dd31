// The school directory end to end through breachctl, one breachd with every service on the
// embedded bus: import a generated directory with one bad row (reported with its row number,
// the rest imported), list it whole and by service, re-import with a change (updated, not
// duplicated), the notification service's school profile derived from it, and a school's role
// refused.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/directory/generator.h"
#include "libs/directory/school_csv.h"
#include "nlohmann/json.hpp"
#include "tests/testing/breachd_process.h"
#include "tests/testing/fixtures.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

TEST(DirectoryEndToEndTest, ImportListReimportAndProfiles) {
  auto scratch = TestFolderWithIdentity();
  BreachdProcess breachd(scratch->path(), {"--kafka=embedded"});
  ASSERT_TRUE(breachd.Start()) << breachd.Stderr();

  std::vector<directory::School> schools = directory::GenerateDirectory(200, 11);
  std::string csv = directory::WriteSchoolCsv(schools);
  // Row 202: a postcode of four digits. Everything else goes in.
  csv += absl::StrCat("ZZIC00100X,IC Bad,Via Uno 1,1234,Roma,zz@istruzione.it,"
                      "zz@pec.istruzione.it,,,registro-elettronico\r\n");
  const std::string file = scratch->path() + "/schools.csv";
  WriteText(file, csv);

  CommandResult imported = breachd.Breachctl({"school", "import", file}, kOperatorToken);
  EXPECT_EQ(imported.exit_code, 1) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("200 added, 0 updated, 0 unchanged, 1 rows skipped"));
  EXPECT_THAT(imported.out, HasSubstr("202"));
  EXPECT_THAT(imported.out, HasSubstr("CAPSCUOLA"));
  EXPECT_EQ(imported.err, absl::StrCat("breachctl: 1 row(s) of ", file,
                                       " skipped, the others imported\n"));

  nlohmann::json listed = breachd.Ok({"school", "list"}, kOperatorToken);
  ASSERT_EQ(listed["schools"].size(), 200u);
  const std::string service = schools[0].services[0];
  size_t using_service = 0;
  for (const auto& school : schools) {
    for (const auto& s : school.services) using_service += (s == service);
  }
  nlohmann::json selected = breachd.Ok({"school", "list", "--service", service}, kOperatorToken);
  EXPECT_EQ(selected["schools"].size(), using_service);

  // The notification service's profile follows the directory (over the bus).
  const directory::School& first = schools[0];
  ASSERT_TRUE(WaitUntil([&] {
    return breachd.Breachctl({"school", "show", first.code, "-o", "json"}, kOperatorToken)
               .exit_code == 0;
  })) << breachd.Stderr();
  nlohmann::json profile = breachd.Ok({"school", "show", first.code}, kOperatorToken);
  EXPECT_EQ(profile["pec"], first.pec);
  EXPECT_EQ(profile["name"], first.name);

  // Re-import: one school changed, none duplicated.
  schools[0].pec = "nuova.pec@pec.istruzione.it";
  WriteText(file, directory::WriteSchoolCsv(schools));
  nlohmann::json again = breachd.Ok({"school", "import", file}, kOperatorToken);
  EXPECT_EQ(again.value("updated", 0), 1);
  EXPECT_EQ(again.value("unchanged", 0), 199);
  EXPECT_EQ(again.value("total", 0), 200);
  ASSERT_TRUE(WaitUntil([&] {
    return breachd.Ok({"school", "show", first.code}, kOperatorToken)["pec"] ==
           "nuova.pec@pec.istruzione.it";
  }));

  // A school's role may not import the directory, and a file it cannot read names the column.
  CommandResult refused = breachd.Breachctl({"school", "import", file}, kVespucciDpoToken);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("PERMISSION_DENIED"));
  WriteText(file, "CODICESCUOLA,DENOMINAZIONESCUOLA\nMIIS01200V,X\n");
  CommandResult unreadable = breachd.Breachctl({"school", "import", file}, kOperatorToken);
  EXPECT_EQ(unreadable.exit_code, 1);
  EXPECT_THAT(unreadable.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(unreadable.err, HasSubstr("INDIRIZZOPECSCUOLA"));
}

}  // namespace
}  // namespace breachd
