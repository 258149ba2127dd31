// JSON text written straight into a string, byte for byte as nlohmann::json::dump() prints the
// same value (keys sorted, the same escapes), without building a tree: the SIEM feed writes one
// document per event and a tree cost most of its time (siem_feed_bench).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/timestamp.pb.h"

namespace breachd::siem {

// A JSON string literal, escaped as nlohmann::json::dump() escapes it. UTF-8 passes through:
// protobuf has checked that every string field is UTF-8.
void AppendQuoted(std::string& out, absl::string_view text);

// "2026-11-30T09:00:00.250Z" (UTC, milliseconds), unquoted.
void AppendRfc3339(std::string& out, const google::protobuf::Timestamp& timestamp);

// Lowercase hex of `bytes`, unquoted.
void AppendHex(std::string& out, absl::string_view bytes);

// A double as nlohmann::json prints it.
void AppendDouble(std::string& out, double value);

// One JSON object written member by member. The caller adds the keys in sorted (byte) order,
// which is how nlohmann::json prints an object; keys need no escaping (literals, enum codes).
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_.push_back('{'); }
  ~JsonObject() { out_.push_back('}'); }
  JsonObject(const JsonObject&) = delete;
  JsonObject& operator=(const JsonObject&) = delete;

  // Writes `"key":` and returns the string to append the value to.
  std::string& Key(absl::string_view key);

  JsonObject& Str(absl::string_view key, absl::string_view value) {
    AppendQuoted(Key(key), value);
    return *this;
  }
  JsonObject& Int(absl::string_view key, int64_t value) {
    absl::StrAppend(&Key(key), value);
    return *this;
  }
  JsonObject& Bool(absl::string_view key, bool value) {
    Key(key) += value ? "true" : "false";
    return *this;
  }
  JsonObject& Double(absl::string_view key, double value) {
    AppendDouble(Key(key), value);
    return *this;
  }
  // A time as RFC 3339, or null when unset (so the key is still in every document).
  JsonObject& Time(absl::string_view key, const google::protobuf::Timestamp& timestamp);
  JsonObject& Strings(absl::string_view key,
                      const google::protobuf::RepeatedPtrField<std::string>& values);

 private:
  std::string& out_;
  bool first_ = true;
};

// The members of one object written in any order, then printed sorted by key; a key added twice
// keeps its last value (as assigning to a nlohmann::json object does). Reused from document to
// document, so in steady state it allocates nothing.
class JsonMembers {
 public:
  // Starts member `key` (a literal that outlives this object); its value is what is appended to
  // the returned string before the next Add.
  std::string& Add(absl::string_view key);
  // The value text of `key` ("" if absent).
  absl::string_view Value(absl::string_view key) const;
  // Writes `{"key":value,...}` sorted by key.
  void AppendObject(std::string& out);
  void Clear();

 private:
  struct Member {
    absl::string_view key;
    size_t begin = 0;  // in values_; the value ends where the next member begins
    size_t end = 0;    // set when the next member starts (or at AppendObject)
  };
  void Close();

  std::string values_;
  std::vector<Member> members_;
};

}  // namespace breachd::siem
