#include "libs/siem/cef.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace breachd::siem {
namespace {

using nlohmann::json;

// CEF header fields escape backslash and pipe; extension values backslash, equals and line
// breaks.
std::string EscapeHeader(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '|') out.push_back('\\');
    out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  }
  return out;
}
std::string EscapeExtension(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '=') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The value at `path` ("breach/severity/band") as text, or "" when absent or null.
std::string At(const json& document, const std::vector<const char*>& path) {
  const json* node = &document;
  for (const char* key : path) {
    if (!node->is_object()) return "";
    auto found = node->find(key);
    if (found == node->end()) return "";
    node = &*found;
  }
  if (node->is_string()) return node->get<std::string>();
  if (node->is_null()) return "";
  if (node->is_array()) {
    std::vector<std::string> items;
    for (const json& item : *node) items.push_back(item.is_string() ? item.get<std::string>() : item.dump());
    return absl::StrJoin(items, ",");
  }
  return node->dump();
}

}  // namespace

int CefSeverity(const json& document) {
  const std::string kind = At(document, {"event", "kind"});
  const std::string outcome = At(document, {"event", "outcome"});
  const std::string category = At(document, {"event", "category"});
  const std::string type = At(document, {"event", "type"});
  const std::string band = At(document, {"breach", "severity", "band"});
  if (!band.empty()) {
    if (band == "very_high") return 9;
    if (band == "high") return 7;
    if (band == "medium") return 5;
    return 3;
  }
  if (kind == "alert") return outcome == "failure" ? 8 : 5;
  if (category == "iam" && outcome == "failure") return 7;
  if (outcome == "failure") return 6;
  if (type == "access") return 2;
  return 3;
}

std::string ToCef(const json& document) {
  // Standard CEF keys where one fits; the rest as labelled custom strings and numbers.
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"rt", [&] {
         absl::Time time;
         std::string error;
         return absl::ParseTime(absl::RFC3339_full, At(document, {"@timestamp"}), &time, &error)
                    ? absl::StrCat(absl::ToUnixMillis(time))
                    : "";
       }()},
      {"externalId", At(document, {"event", "id"})},
      {"act", At(document, {"event", "action"})},
      {"cat", absl::StrCat(At(document, {"event", "category"}), "/",
                           At(document, {"event", "type"}))},
      {"outcome", At(document, {"event", "outcome"})},
      {"suser", At(document, {"user", "id"})},
      {"spriv", At(document, {"user", "roles"})},
      {"dproc", At(document, {"service", "name"})},
      {"reason", At(document, {"breach", "access", "reason"})},
      {"cs1Label", "breachId"},
      {"cs1", At(document, {"breach", "id"})},
      {"cs2Label", "organizationId"},
      {"cs2", At(document, {"organization", "id"})},
      {"cs3Label", "breachStatus"},
      {"cs3", At(document, {"breach", "status"})},
      {"cs4Label", "severityBand"},
      {"cs4", At(document, {"breach", "severity", "band"})},
      {"cs5Label", "duty"},
      {"cs5", At(document, {"breach", "duty", "kind"})},
      {"cs6Label", "deadlineDue"},
      {"cs6", At(document, {"breach", "deadline", "due"})},
      {"flexString1Label", "deliveryStatus"},
      {"flexString1", At(document, {"breach", "delivery", "status"})},
      {"flexString2Label", "method"},
      {"flexString2", At(document, {"breach", "access", "method"})},
      {"cn1Label", "position"},
      {"cn1", At(document, {"breach", "position"})},
      {"cn2Label", "streamVersion"},
      {"cn2", At(document, {"breach", "stream_version"})},
      {"cn3Label", "classification"},
      {"cn3", At(document, {"breach", "classification"})},
  };
  std::vector<std::string> extension;
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto& [key, value] = fields[i];
    if (value.empty()) continue;
    if (absl::EndsWith(key, "Label")) {
      // A label only with its value, which follows it.
      if (i + 1 >= fields.size() || fields[i + 1].second.empty()) continue;
    }
    extension.push_back(absl::StrCat(key, "=", EscapeExtension(value)));
  }
  const std::string event_type = At(document, {"breach", "event_type"});
  return absl::StrCat("CEF:0|breachd|breachd|1|", EscapeHeader(At(document, {"event", "action"})),
                      "|", EscapeHeader(event_type.substr(event_type.rfind('.') + 1)), "|",
                      CefSeverity(document), "|", absl::StrJoin(extension, " "));
}

std::string ToSyslog5424(const json& document, const std::string& hostname) {
  const int cef_severity = CefSeverity(document);
  // syslog severities: 3 error, 4 warning, 5 notice, 6 informational.
  const int severity = cef_severity >= 8 ? 3 : cef_severity >= 7 ? 4 : cef_severity >= 5 ? 5 : 6;
  constexpr int kLogAudit = 13;
  const std::string action = At(document, {"event", "action"});
  const std::string msgid(action.empty() ? absl::string_view("-")
                                         : absl::string_view(action).substr(0, 32));
  return absl::StrCat("<", kLogAudit * 8 + severity, ">1 ", At(document, {"@timestamp"}), " ",
                      hostname.empty() ? "-" : hostname, " breachd - ", msgid, " - ",
                      ToCef(document));
}

}  // namespace breachd::siem
