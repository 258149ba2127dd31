// RFC 4180 CSV split into rows of fields (libcsv, strict quoting), each with the line it starts
// on, so that readers of uploaded files can name the line of a bad field.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace breachd {

struct CsvRow {
  int line = 0;  // 1-based line where the row starts
  std::vector<std::string> fields;
};

// The rows of `text`, without a leading UTF-8 byte-order mark (spreadsheets write one). Blank
// lines are skipped. INVALID_ARGUMENT names the line where the text stops being CSV.
absl::StatusOr<std::vector<CsvRow>> SplitCsv(absl::string_view text);

}  // namespace breachd
