// The table of personal fields: for a message type, which of its string fields are about people
// (names, contacts, free text), and which string fields hold JSON of a message whose own
// personal fields are sealed inside it (an amendment's old and new values). Everything else -
// codes, statuses, classifications, times, counts, categories - stays in clear.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace breachd::privacy {

struct PersonalFields {
  std::vector<std::string> text;  // string or repeated string fields, sealed whole
  // string fields holding JSON of `json_type` (its personal fields are sealed in the JSON)
  std::vector<std::string> json;
  std::string json_type;
};

// The whole table, by message type (full name).
const std::map<std::string, PersonalFields>& PersonalFieldTable();
// The personal fields of the message type `full_name` (nullptr: none of its own).
const PersonalFields* PersonalFieldsOf(const std::string& full_name);
// Whether field `field` of message type `message` is personal (text or JSON).
bool IsPersonalFieldOf(const std::string& message, const std::string& field);

}  // namespace breachd::privacy
