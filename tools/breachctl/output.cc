#include "tools/breachctl/output.h"

#include <algorithm>

#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "libs/common/proto_time.h"
#include "libs/common/time_zone.h"

namespace breachd::breachctl {

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) {
      out << row[i];
      if (i + 1 < row.size()) out << std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << "\n";
  }
}

void PrintFields(std::ostream& out,
                 const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t width = 0;
  for (const auto& [key, value] : fields) width = std::max(width, key.size());
  for (const auto& [key, value] : fields) {
    out << key << ":" << std::string(width - key.size() + 1, ' ') << value << "\n";
  }
}

std::string FormatTimestamp(const google::protobuf::Message& message) {
  const auto* timestamp = dynamic_cast<const google::protobuf::Timestamp*>(&message);
  if (timestamp == nullptr || (timestamp->seconds() == 0 && timestamp->nanos() == 0)) return "-";
  // Without tzdata the times print in UTC, named as such ("... UTC"): never a wrong local hour.
  static const absl::TimeZone rome = LoadNamedTimeZone("Europe/Rome").value_or(absl::UTCTimeZone());
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %Z", TimeFromProto(*timestamp), rome);
}

std::string OneLine(const std::string& text) {
  return absl::StrReplaceAll(text, {{"\r\n", " "}, {"\n", " "}, {"\r", " "}, {"\t", " "}});
}

int PrintUsageError(std::ostream& err, const std::string& problem, const std::string& command) {
  err << "breachctl: " << OneLine(problem) << " (see 'breachctl help"
      << (command.empty() ? "" : " ") << command << "')\n";
  return 2;
}

std::string Shorten(const std::string& text, size_t width) {
  std::string one_line = OneLine(text);
  if (one_line.size() <= width) return one_line;
  size_t cut = width - 3;
  // Never cut a UTF-8 character in half (Italian text has accents).
  while (cut > 0 && (static_cast<unsigned char>(one_line[cut]) & 0xC0) == 0x80) --cut;
  return one_line.substr(0, cut) + "...";
}

}  // namespace breachd::breachctl
