#include "libs/common/csv_rows.h"

#include <csv.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace breachd {
namespace {

// Rows of fields, collected by libcsv's callbacks.
struct Collector {
  std::vector<CsvRow> rows;
  CsvRow current;
  int line = 1;  // the line being fed to the parser
  static void OnField(void* data, size_t size, void* self) {
    static_cast<Collector*>(self)->current.fields.emplace_back(static_cast<const char*>(data),
                                                               size);
  }
  static void OnRow(int, void* self) {
    auto* collector = static_cast<Collector*>(self);
    // The row ends on the line being fed; a newline inside a quoted field puts its start earlier.
    int start = collector->line;
    for (const std::string& field : collector->current.fields) {
      start -= static_cast<int>(std::count(field.begin(), field.end(), '\n'));
    }
    collector->current.line = start;
    collector->rows.push_back(std::move(collector->current));
    collector->current = CsvRow{};
  }
};

}  // namespace

absl::StatusOr<std::vector<CsvRow>> SplitCsv(absl::string_view text) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    return absl::InternalError("cannot initialise the CSV parser");
  }
  Collector collector;
  bool complete = true;
  // Fed one physical line at a time so that each row knows its line number.
  while (complete && !text.empty()) {
    const size_t end = text.find('\n');
    const absl::string_view chunk = text.substr(0, end == absl::string_view::npos ? end : end + 1);
    complete = csv_parse(&parser, chunk.data(), chunk.size(), &Collector::OnField,
                         &Collector::OnRow, &collector) == chunk.size();
    text.remove_prefix(chunk.size());
    if (complete && !text.empty()) ++collector.line;
  }
  complete = complete &&
             csv_fini(&parser, &Collector::OnField, &Collector::OnRow, &collector) == 0;
  const std::string error = csv_strerror(csv_error(&parser));
  csv_free(&parser);
  if (!complete) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", collector.line, " is not CSV: ", error));
  }
  return std::move(collector.rows);
}

}  // namespace breachd
