#include "libs/directory/school_csv.h"

#include <csv.h>

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/common/csv_rows.h"

namespace breachd::directory {
namespace {

// The columns we read, and whether a file must have them.
struct Column {
  const char* header;
  std::string School::*field;
  bool required;
};
constexpr char kServicesHeader[] = "SERVIZI";
const Column kColumns[] = {
    {"CODICESCUOLA", &School::code, true},
    {"DENOMINAZIONESCUOLA", &School::name, true},
    {"INDIRIZZOSCUOLA", &School::address, true},
    {"CAPSCUOLA", &School::postcode, true},
    {"DESCRIZIONECOMUNE", &School::municipality, true},
    {"INDIRIZZOEMAILSCUOLA", &School::email, true},
    {"INDIRIZZOPECSCUOLA", &School::pec, true},
    {"DPONOME", &School::dpo_name, false},
    {"DPOEMAIL", &School::dpo_email, false},
};

bool IsEmailLike(const std::string& text) {
  const size_t at = text.find('@');
  return at != std::string::npos && at > 0 && text.find('.', at) != std::string::npos &&
         text.find(' ') == std::string::npos;
}

// Codice meccanografico: two letters (the province), eight letters or digits.
bool IsSchoolCode(const std::string& code) {
  if (code.size() != 10) return false;
  if (!absl::ascii_isupper(code[0]) || !absl::ascii_isupper(code[1])) return false;
  for (char c : code) {
    if (!absl::ascii_isupper(c) && !absl::ascii_isdigit(c)) return false;
  }
  return true;
}

}  // namespace

std::vector<RowError> ValidateSchool(const School& school) {
  std::vector<RowError> errors;
  auto bad = [&](const char* column, std::string message) {
    errors.push_back({0, column, std::move(message)});
  };
  if (!IsSchoolCode(school.code)) {
    bad("CODICESCUOLA", absl::StrCat("is not a codice meccanografico (two letters and eight "
                                     "letters or digits): \"", school.code, "\""));
  }
  if (school.name.empty()) bad("DENOMINAZIONESCUOLA", "is empty");
  if (school.postcode.size() != 5 ||
      !std::all_of(school.postcode.begin(), school.postcode.end(), absl::ascii_isdigit)) {
    bad("CAPSCUOLA", absl::StrCat("must be five digits, not \"", school.postcode, "\""));
  }
  if (school.municipality.empty()) bad("DESCRIZIONECOMUNE", "is empty");
  if (!IsEmailLike(school.email)) {
    bad("INDIRIZZOEMAILSCUOLA", absl::StrCat("is not an e-mail address: \"", school.email, "\""));
  }
  if (!IsEmailLike(school.pec)) {
    bad("INDIRIZZOPECSCUOLA", absl::StrCat("is not an e-mail address: \"", school.pec, "\""));
  }
  if (!school.dpo_email.empty() && !IsEmailLike(school.dpo_email)) {
    bad("DPOEMAIL", absl::StrCat("is not an e-mail address: \"", school.dpo_email, "\""));
  }
  if (school.services.empty()) bad(kServicesHeader, "names no service");
  return errors;
}

absl::StatusOr<ParsedDirectory> ParseSchoolCsv(absl::string_view text) {
  auto rows = SplitCsv(text);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::InvalidArgumentError("the file is empty: no header row");

  std::map<std::string, size_t> index;  // header -> position
  for (size_t i = 0; i < rows->front().fields.size(); ++i) {
    index[absl::AsciiStrToUpper(absl::StripAsciiWhitespace(rows->front().fields[i]))] = i;
  }
  std::vector<std::string> missing;
  for (const Column& column : kColumns) {
    if (column.required && !index.count(column.header)) missing.push_back(column.header);
  }
  if (!index.count(kServicesHeader)) missing.push_back(kServicesHeader);
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the header lacks the column(s) ", absl::StrJoin(missing, ", ")));
  }

  ParsedDirectory parsed;
  std::map<std::string, int> first_row_of;  // code -> row, to report duplicates
  for (size_t r = 1; r < rows->size(); ++r) {
    const std::vector<std::string>& fields = (*rows)[r].fields;
    const int row = static_cast<int>(r) + 1;
    if (fields.size() == 1 && absl::StripAsciiWhitespace(fields[0]).empty()) continue;  // blank
    if (fields.size() != rows->front().fields.size()) {
      parsed.errors.push_back({row, "", absl::StrCat("has ", fields.size(), " fields; the header has ",
                                                     rows->front().fields.size())});
      continue;
    }
    School school;
    for (const Column& column : kColumns) {
      if (auto at = index.find(column.header); at != index.end()) {
        school.*column.field = std::string(absl::StripAsciiWhitespace(fields[at->second]));
      }
    }
    school.code = absl::AsciiStrToUpper(school.code);
    for (absl::string_view service :
         absl::StrSplit(fields[index.at(kServicesHeader)], ';', absl::SkipWhitespace())) {
      school.services.emplace_back(absl::StripAsciiWhitespace(service));
    }
    std::vector<RowError> errors = ValidateSchool(school);
    // Only a row that was read counts as the first of its code.
    if (auto earlier = first_row_of.find(school.code); earlier != first_row_of.end()) {
      errors.push_back({0, "CODICESCUOLA",
                        absl::StrCat(school.code, " is already on row ", earlier->second)});
    }
    if (!errors.empty()) {
      for (RowError& error : errors) error.row = row;
      parsed.errors.insert(parsed.errors.end(), errors.begin(), errors.end());
      continue;
    }
    first_row_of.emplace(school.code, row);
    parsed.schools.push_back(std::move(school));
  }
  return parsed;
}

std::string WriteSchoolCsv(const std::vector<School>& schools) {
  auto quoted = [](const std::string& field) {
    std::string out(field.size() * 2 + 2, '\0');
    out.resize(csv_write(out.data(), out.size(), field.data(), field.size()));
    return out;
  };
  std::vector<std::string> header;
  for (const Column& column : kColumns) header.push_back(column.header);
  header.push_back(kServicesHeader);
  std::string csv = absl::StrCat(absl::StrJoin(header, ","), "\r\n");
  for (const School& school : schools) {
    std::vector<std::string> fields;
    for (const Column& column : kColumns) fields.push_back(quoted(school.*column.field));
    fields.push_back(quoted(absl::StrJoin(school.services, ";")));
    absl::StrAppend(&csv, absl::StrJoin(fields, ","), "\r\n");
  }
  return csv;
}

}  // namespace breachd::directory
