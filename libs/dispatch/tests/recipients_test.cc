#include "libs/dispatch/recipients.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::dispatch {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::FieldsAre;
using ::testing::HasSubstr;

TEST(ParseRecipientsCsvTest, ReadsColumnsInAnyOrderWithQuotingAndTheDefaultLanguage) {
  const std::string csv =
      "\xEF\xBB\xBF"
      "email,Language,name\r\n"
      "mario.rossi@example.it,it,Mario Rossi\r\n"
      "\"anna@example.org\",EN,\"Verdi, Anna \"\"Annie\"\"\"\r\n"
      "\r\n"
      "luca@example.it,,Niccolò Bianchi\r\n";
  auto rows = ParseRecipientsCsv(csv, "it");
  ASSERT_THAT(rows, IsOk());
  EXPECT_THAT(*rows, ElementsAre(FieldsAre("Mario Rossi", "mario.rossi@example.it", "it"),
                                 FieldsAre("Verdi, Anna \"Annie\"", "anna@example.org", "en"),
                                 FieldsAre("Niccolò Bianchi", "luca@example.it", "it")));
}

TEST(ParseRecipientsCsvTest, RefusesBadInputNamingTheLineAndTheField) {
  struct Case {
    std::string csv;
    std::string error;
  };
  const std::string header = "name,email,language\n";
  const Case cases[] = {
      {header + "Mario,mario@example.it,it\nMario,mario@,it\n",
       "recipients_csv line 3: email \"mario@\" is not an e-mail address"},
      {header + "Mario,mario@example.it,de\n", "recipients_csv line 2: language \"de\" must be it or en"},
      {"name,email\nMario,mario@example.it\n", "recipients_csv line 1: the header lacks the column language"},
      {"name,email,language,phone\n", "recipients_csv line 1: unknown column \"phone\""},
      {"name,email,email\n", "column email appears twice"},
      {header + "Mario,mario@example.it,it\nM. Rossi,Mario@Example.it,en\n",
       "recipients_csv line 3: email \"Mario@Example.it\" is already on line 2"},
      {header + "Mario,mario@example.it\n", "recipients_csv line 2: has 2 fields; the header has 3"},
      {header + "\"Mario,mario@example.it,it\n", "is not CSV"},
      {header + "Mario\xC3,mario@example.it,it\n", "recipients_csv line 2: not UTF-8"},
      {"", "recipients_csv is empty"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseRecipientsCsv(c.csv, "it"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.csv;
  }
}

TEST(ParseRecipientsCsvTest, RefusesALineBreakInANameAtTheLineWhereTheRowStarts) {
  const std::string csv = "name,email,language\n\"Mario\nRossi\",mario@example.it,it\n";
  EXPECT_THAT(ParseRecipientsCsv(csv, "it"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 2: name holds a control character")));
}

TEST(ParseRecipientsCsvTest, RefusesAFileOverOneMebibyte) {
  std::string csv = "name,email,language\n";
  while (csv.size() <= kMaxRecipientsCsvBytes) csv += "Mario,mario@example.it,it\n";
  EXPECT_THAT(ParseRecipientsCsv(csv, "it"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("the limit is 1048576")));
}

TEST(ParseRecipientsCsvTest, RefusesMoreThanTheMaximumOfRows) {
  std::string csv = "name,email,language\n";
  // Counted before any row is read, so the rows need not be valid.
  for (size_t i = 0; i <= kMaxRecipientsRows; ++i) csv += ",,\n";
  ASSERT_LE(csv.size(), kMaxRecipientsCsvBytes);
  EXPECT_THAT(ParseRecipientsCsv(csv, "it"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("100001 recipients; the limit is 100000")));
}

TEST(ParseRecipientsCsvTest, RefusesAnUnknownDefaultLanguage) {
  EXPECT_THAT(ParseRecipientsCsv("name,email,language\n", "fr"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("default language")));
}

TEST(ValidateEmailAddressTest, AcceptsOrdinaryAddresses) {
  for (const char* address : {"mario.rossi@example.it", "a+tag@sub.example.org", "x@y.co"}) {
    EXPECT_THAT(ValidateEmailAddress("email", address), IsOk()) << address;
  }
}

TEST(ValidateEmailAddressTest, RefusesWhatIsNotAnAddressSayingWhy) {
  const std::pair<std::string, const char*> cases[] = {
      {"", "empty"},
      {"mario", "no @"},
      {"@example.it", "nothing before the @"},
      {"mario@", "no domain"},
      {"mario@localhost", "no dot"},
      {"ma rio@example.it", "a space"},
      {"mario@example.it\r\nRCPT TO:<x@y.z>", "control character"},
      {"<mario@example.it>", "<>"},
      {"a@b@example.it", "more than one @"},
      {"mario@example..it", "empty or too long part"},
      {"mario.@example.it", "two dots"},
      {std::string(65, 'a') + "@example.it", "longer than 64"},
      {"a@" + std::string(250, 'b') + ".it", "longer than 254"},
  };
  for (const auto& [address, why] : cases) {
    EXPECT_THAT(ValidateEmailAddress("email", address),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(absl::StrCat("is not an e-mail address"))))
        << address;
    EXPECT_THAT(ValidateEmailAddress("email", address).message(), HasSubstr(why)) << address;
  }
}

}  // namespace
}  // namespace breachd::dispatch
