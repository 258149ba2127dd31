#include "libs/directory/school_csv.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/directory/directory_merge.h"

namespace breachd::directory {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::SizeIs;

// The Ministry's columns as they come (more than we read, in its order), plus ours.
constexpr char kHeader[] =
    "ANNOSCOLASTICO,AREAGEOGRAFICA,REGIONE,PROVINCIA,CODICEISTITUTORIFERIMENTO,"
    "DENOMINAZIONEISTITUTORIFERIMENTO,CODICESCUOLA,DENOMINAZIONESCUOLA,INDIRIZZOSCUOLA,CAPSCUOLA,"
    "CODICECOMUNESCUOLA,DESCRIZIONECOMUNE,DESCRIZIONECARATTERISTICASCUOLA,"
    "DESCRIZIONETIPOLOGIAGRADOISTRUZIONESCUOLA,INDICAZIONESEDEDIRETTIVO,"
    "INDICAZIONESEDEOMNICOMPRENSIVO,INDIRIZZOEMAILSCUOLA,INDIRIZZOPECSCUOLA,SITOWEBSCUOLA,"
    "SEDESCOLASTICA,SERVIZI,DPONOME,DPOEMAIL\n";

std::string Row(const std::string& code, const std::string& postcode = "20121",
                const std::string& pec = "miis01200v@pec.istruzione.it") {
  return "202425,NORD OVEST,LOMBARDIA,MILANO,MIIS01200V,IST. VESPUCCI," + code +
         ",\"IST. AMERIGO VESPUCCI, SEDE\",\"VIA ROMA 1\"," + postcode +
         ",F205,MILANO,NON STATALE,ISTITUTO SUPERIORE,SI,NO,miis01200v@istruzione.it," + pec +
         ",Non Disponibile,NO,registro-elettronico; pagamenti,Avv. Giuseppe Russo,"
         "dpo@example.org\n";
}

TEST(SchoolCsvTest, ReadsTheMinistryLayoutByHeaderNameWithOurColumns) {
  ASSERT_OK_AND_ASSIGN(ParsedDirectory parsed, ParseSchoolCsv(std::string(kHeader) + Row("MIIS01200V")));
  EXPECT_THAT(parsed.errors, SizeIs(0));
  ASSERT_THAT(parsed.schools, SizeIs(1));
  const School& school = parsed.schools[0];
  EXPECT_EQ(school.code, "MIIS01200V");
  EXPECT_EQ(school.name, "IST. AMERIGO VESPUCCI, SEDE");  // a quoted comma stays in the field
  EXPECT_EQ(school.postcode, "20121");
  EXPECT_EQ(school.municipality, "MILANO");
  EXPECT_EQ(school.pec, "miis01200v@pec.istruzione.it");
  EXPECT_EQ(school.dpo_name, "Avv. Giuseppe Russo");
  EXPECT_THAT(school.services, ElementsAre("registro-elettronico", "pagamenti"));
}

TEST(SchoolCsvTest, ABadRowIsReportedWithItsRowAndTheRestIsRead) {
  const std::string csv = std::string(kHeader) + Row("MIIS01200V") + Row("RMIC81500L", "0012") +
                          Row("12345") + Row("RMIC81500L", "00185", "not-an-address") +
                          Row("MIIS01200V") + Row("TOPS00001X");
  ASSERT_OK_AND_ASSIGN(ParsedDirectory parsed, ParseSchoolCsv(csv));
  ASSERT_THAT(parsed.schools, SizeIs(2));
  EXPECT_EQ(parsed.schools[0].code, "MIIS01200V");
  EXPECT_EQ(parsed.schools[1].code, "TOPS00001X");
  EXPECT_THAT(parsed.errors,
              ElementsAre(AllOf(Field(&RowError::row, 3), Field(&RowError::column, "CAPSCUOLA"),
                                Field(&RowError::message, HasSubstr("\"0012\""))),
                          AllOf(Field(&RowError::row, 4), Field(&RowError::column, "CODICESCUOLA")),
                          AllOf(Field(&RowError::row, 5),
                                Field(&RowError::column, "INDIRIZZOPECSCUOLA")),
                          AllOf(Field(&RowError::row, 6), Field(&RowError::column, "CODICESCUOLA"),
                                Field(&RowError::message, HasSubstr("already on row 2")))));
}

TEST(SchoolCsvTest, ARowWithTheWrongNumberOfFieldsIsReported) {
  ASSERT_OK_AND_ASSIGN(ParsedDirectory parsed,
                       ParseSchoolCsv(std::string(kHeader) + "MIIS01200V,too,few\n" +
                                      Row("MIIS01200V")));
  EXPECT_THAT(parsed.schools, SizeIs(1));
  EXPECT_THAT(parsed.errors, ElementsAre(AllOf(Field(&RowError::row, 2),
                                               Field(&RowError::message, HasSubstr("3 fields")))));
}

TEST(SchoolCsvTest, AFileWithoutARequiredColumnIsRefusedNamingIt) {
  EXPECT_THAT(ParseSchoolCsv("CODICESCUOLA,DENOMINAZIONESCUOLA\nMIIS01200V,x\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("INDIRIZZOPECSCUOLA"), HasSubstr("SERVIZI"))));
  EXPECT_THAT(ParseSchoolCsv(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseSchoolCsv(std::string(kHeader) + "\"unterminated,quote\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not CSV")));
}

TEST(SchoolCsvTest, WhatIsWrittenReadsBackTheSame) {
  School school;
  school.code = "RGIS00800A";
  school.name = "Liceo \"Galilei\", sede di Modica";  // quotes and a comma
  school.address = "Via Roma 1";
  school.postcode = "97015";
  school.municipality = "MODICA";
  school.email = "rgis00800a@istruzione.it";
  school.pec = "rgis00800a@pec.istruzione.it";
  school.services = {"pagamenti", "sito-web"};
  ASSERT_OK_AND_ASSIGN(ParsedDirectory parsed, ParseSchoolCsv(WriteSchoolCsv({school})));
  EXPECT_THAT(parsed.errors, SizeIs(0));
  ASSERT_THAT(parsed.schools, SizeIs(1));
  EXPECT_EQ(parsed.schools[0], school);
}

TEST(DirectoryMergeTest, AReimportUpdatesAndAddsButNeverDuplicates) {
  ASSERT_OK_AND_ASSIGN(ParsedDirectory first,
                       ParseSchoolCsv(std::string(kHeader) + Row("MIIS01200V") + Row("TOPS00001X")));
  std::map<std::string, School> current;
  for (const School& school : first.schools) current[school.code] = school;

  ASSERT_OK_AND_ASSIGN(ParsedDirectory again,
                       ParseSchoolCsv(std::string(kHeader) + Row("MIIS01200V", "20122") +
                                      Row("TOPS00001X") + Row("RMIC81500L", "00185")));
  const DirectoryChanges changes = MergeDirectory(current, again.schools);
  ASSERT_THAT(changes.added, SizeIs(1));
  EXPECT_EQ(changes.added[0].code, "RMIC81500L");
  ASSERT_THAT(changes.updated, SizeIs(1));
  EXPECT_EQ(changes.updated[0].postcode, "20122");
  EXPECT_EQ(changes.unchanged, 1);
}

}  // namespace
}  // namespace breachd::directory
