#include "libs/siem/json_text.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "nlohmann/json.hpp"

namespace breachd::siem {
namespace {

// Days since 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's civil_from_days).
void CivilFromDays(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
}

void Digits(char* at, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

void AppendQuoted(std::string& out, absl::string_view text) {
  out.push_back('"');
  size_t run = 0;  // start of the characters not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        char escaped[8];
        std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
        out += escaped;
      }
    }
  }
  out.append(text.data() + run, text.size() - run);
  out.push_back('"');
}

void AppendRfc3339(std::string& out, const google::protobuf::Timestamp& timestamp) {
  const int64_t seconds = timestamp.seconds();
  const int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const auto second_of_day = static_cast<unsigned>(seconds - days * 86400);
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, year, month, day);
  const int32_t nanos = timestamp.nanos();
  char text[64];
  if (year < 0 || year > 9999 || nanos < 0 || nanos > 999'999'999) {
    // Outside what a protobuf Timestamp may hold: printed as printf would (never in practice).
    std::snprintf(text, sizeof(text), "%04lld-%02u-%02uT%02u:%02u:%02u.%03dZ",
                  static_cast<long long>(year), month, day, second_of_day / 3600,
                  second_of_day / 60 % 60, second_of_day % 60, nanos / 1'000'000);
    out += text;
    return;
  }
  // YYYY-MM-DDTHH:MM:SS.mmmZ
  std::memcpy(text, "0000-00-00T00:00:00.000Z", 24);
  Digits(text, static_cast<unsigned>(year), 4);
  Digits(text + 5, month, 2);
  Digits(text + 8, day, 2);
  Digits(text + 11, second_of_day / 3600, 2);
  Digits(text + 14, second_of_day / 60 % 60, 2);
  Digits(text + 17, second_of_day % 60, 2);
  Digits(text + 20, static_cast<unsigned>(nanos / 1'000'000), 3);
  out.append(text, 24);
}

void AppendHex(std::string& out, absl::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t at = out.size();
  out.resize(at + 2 * bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    out[at + 2 * i] = kHex[byte >> 4];
    out[at + 2 * i + 1] = kHex[byte & 0xf];
  }
}

void AppendDouble(std::string& out, double value) { out += nlohmann::json(value).dump(); }

std::string& JsonObject::Key(absl::string_view key) {
  if (!first_) out_.push_back(',');
  first_ = false;
  out_.push_back('"');
  out_.append(key.data(), key.size());
  out_ += "\":";
  return out_;
}

JsonObject& JsonObject::Time(absl::string_view key, const google::protobuf::Timestamp& timestamp) {
  std::string& out = Key(key);
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) {
    out += "null";
  } else {
    out.push_back('"');
    AppendRfc3339(out, timestamp);
    out.push_back('"');
  }
  return *this;
}

JsonObject& JsonObject::Strings(absl::string_view key,
                                const google::protobuf::RepeatedPtrField<std::string>& values) {
  std::string& out = Key(key);
  out.push_back('[');
  for (int i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendQuoted(out, values.Get(i));
  }
  out.push_back(']');
  return *this;
}

void JsonMembers::Close() {
  if (!members_.empty()) members_.back().end = values_.size();
}

std::string& JsonMembers::Add(absl::string_view key) {
  Close();
  for (Member& member : members_) {
    if (member.key == key) member.key = {};  // replaced: dropped when printed
  }
  members_.push_back({key, values_.size(), values_.size()});
  return values_;
}

absl::string_view JsonMembers::Value(absl::string_view key) const {
  for (size_t i = 0; i < members_.size(); ++i) {
    if (members_[i].key != key || key.empty()) continue;
    const size_t end = i + 1 == members_.size() ? values_.size() : members_[i].end;
    return absl::string_view(values_).substr(members_[i].begin, end - members_[i].begin);
  }
  return {};
}

void JsonMembers::AppendObject(std::string& out) {
  Close();
  std::sort(members_.begin(), members_.end(),
            [](const Member& a, const Member& b) { return a.key < b.key; });
  out.push_back('{');
  bool first = true;
  for (const Member& member : members_) {
    if (member.key.empty()) continue;
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out.append(member.key.data(), member.key.size());
    out += "\":";
    out.append(values_, member.begin, member.end - member.begin);
  }
  out.push_back('}');
}

void JsonMembers::Clear() {
  values_.clear();
  members_.clear();
}

}  // namespace breachd::siem
