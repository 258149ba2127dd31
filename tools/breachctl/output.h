// How breachctl prints: protobuf JSON (-o json) or aligned text tables (-o table).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "google/protobuf/message.h"

namespace breachd::breachctl {

enum class OutputFormat { kTable, kJson };

// Multi-line, field names as in the .proto files.
std::string ToJson(const google::protobuf::Message& message);

// A table: a header row and rows of cells, columns padded to the widest cell.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// Key/value lines for one record.
void PrintFields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields);

// "2026-03-27 10:00 CET" in Europe/Rome, or "-" when unset.
std::string FormatTimestamp(const google::protobuf::Message& timestamp);
// Cuts text to `width` characters with an ellipsis, on one line.
std::string Shorten(const std::string& text, size_t width);
// The text with line breaks and tabs as spaces: an error message stays on one line.
std::string OneLine(const std::string& text);
// A usage error: "breachctl: PROBLEM (see 'breachctl help COMMAND')" on one line. Returns 2,
// the exit code of usage errors.
int PrintUsageError(std::ostream& err, const std::string& problem, const std::string& command);

}  // namespace breachd::breachctl
