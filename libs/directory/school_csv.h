// The school directory as CSV, in the layout of the Ministry's open-data school registry
// (dati.istruzione.it, "Anagrafe scuole statali": CODICESCUOLA, DENOMINAZIONESCUOLA,
// INDIRIZZOSCUOLA, CAPSCUOLA, DESCRIZIONECOMUNE, INDIRIZZOEMAILSCUOLA, INDIRIZZOPECSCUOLA, ...)
// plus the provider's own columns: SERVIZI (the services a school uses, separated by ';'),
// DPONOME and DPOEMAIL. Columns are found by header name, in any order; the Ministry's other
// columns are ignored. RFC 4180 quoting (libcsv). A bad row is reported with its row number and
// the rest is read: one typo must not keep thousands of schools out.
#pragma once

#include <ostream>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "libs/directory/school.h"

namespace breachd::directory {

struct RowError {
  int row = 0;          // 1 = the header; equals the line number unless a field holds a newline
  std::string column;   // the header name of the bad field ("" for the whole row)
  std::string message;  // e.g. "CAPSCUOLA must be five digits, not \"2013\""
};

// For test output: "row 3 CAPSCUOLA: must be five digits...".
inline std::ostream& operator<<(std::ostream& out, const RowError& error) {
  return out << "row " << error.row << " " << error.column << ": " << error.message;
}

struct ParsedDirectory {
  std::vector<School> schools;  // in file order
  std::vector<RowError> errors;
};

// INVALID_ARGUMENT when the file as a whole cannot be read: not CSV, or a required column is
// missing from the header (named). Bad rows are in `errors`; the good ones in `schools`.
absl::StatusOr<ParsedDirectory> ParseSchoolCsv(absl::string_view text);

// The directory as CSV with our columns, readable by ParseSchoolCsv.
std::string WriteSchoolCsv(const std::vector<School>& schools);

// Checks one school's fields; an empty list means valid. Shared by the CSV reader and any
// other way a school enters the directory.
std::vector<RowError> ValidateSchool(const School& school);

}  // namespace breachd::directory
