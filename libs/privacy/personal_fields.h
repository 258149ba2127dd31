// The table of personal fields: for a message type, which of its string fields are about people
// (names, contacts, free text), and which string fields hold JSON of a message whose own
// personal fields are sealed inside it (an amendment's old and new values). Everything else -
// codes, statuses, classifications, times, counts, categories - stays in clear.
#pragma once

#include <string>
#include <vector>

namespace breachd::privacy {

struct PersonalFields {
  std::vector<std::string> text;  // string or repeated string fields, sealed whole
  // string fields holding JSON of `json_type` (its personal fields are sealed in the JSON)
  std::vector<std::string> json;
  std::string json_type;
};

// The personal fields of the message type `full_name` (nullptr: none of its own).
const PersonalFields* PersonalFieldsOf(const std::string& full_name);

}  // namespace breachd::privacy
