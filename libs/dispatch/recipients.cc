#include "libs/dispatch/recipients.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/common/csv_rows.h"

namespace breachd::dispatch {
namespace {

constexpr size_t kMaxAddressLength = 254;
constexpr size_t kMaxLocalPartLength = 64;
constexpr size_t kMaxLabelLength = 63;
constexpr absl::string_view kCsv = "recipients_csv";

// Characters that would end an address early in a header or an SMTP command.
bool IsForbiddenInAddress(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f || absl::string_view("<>,;:\"()[]\\").find(c) !=
                                       absl::string_view::npos;
}

absl::Status NotAnAddress(absl::string_view field, absl::string_view address,
                          absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, " \"", address, "\" is not an e-mail address: ", why));
}

// The offset of the first byte that does not belong to a well-formed UTF-8 sequence, or npos.
// (Overlong forms and surrogates are refused too.)
size_t FirstInvalidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (c < 0x80) length = 1;
    else if (c >= 0xC2 && c <= 0xDF) length = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (size_t k = 1; k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) return i;
    }
    i += length;
  }
  return absl::string_view::npos;
}

bool IsKnownLanguage(absl::string_view language) { return language == "it" || language == "en"; }

}  // namespace

absl::Status ValidateEmailAddress(absl::string_view field, absl::string_view address) {
  if (address.empty()) return NotAnAddress(field, address, "it is empty");
  if (address.size() > kMaxAddressLength) {
    return NotAnAddress(field, address, absl::StrCat("longer than ", kMaxAddressLength,
                                                     " characters"));
  }
  for (char c : address) {
    if (IsForbiddenInAddress(c)) {
      return NotAnAddress(field, address,
                          "it holds a space, a control character or one of <>,;:\"()[]\\");
    }
  }
  const size_t at = address.rfind('@');
  if (at == absl::string_view::npos) return NotAnAddress(field, address, "no @");
  const absl::string_view local = address.substr(0, at);
  const absl::string_view domain = address.substr(at + 1);
  if (local.empty()) return NotAnAddress(field, address, "nothing before the @");
  if (local.find('@') != absl::string_view::npos) {
    return NotAnAddress(field, address, "more than one @");
  }
  if (local.size() > kMaxLocalPartLength) {
    return NotAnAddress(field, address, absl::StrCat("the part before the @ is longer than ",
                                                     kMaxLocalPartLength, " characters"));
  }
  if (local.front() == '.' || local.back() == '.' ||
      local.find("..") != absl::string_view::npos) {
    return NotAnAddress(field, address, "a dot at an end of the part before the @, or two dots");
  }
  if (domain.empty()) return NotAnAddress(field, address, "no domain after the @");
  if (domain.find('.') == absl::string_view::npos) {
    return NotAnAddress(field, address, "the domain has no dot");
  }
  for (absl::string_view label : absl::StrSplit(domain, '.')) {
    if (label.empty() || label.size() > kMaxLabelLength || label.front() == '-' ||
        label.back() == '-') {
      return NotAnAddress(field, address,
                          "the domain has an empty or too long part, or one that starts or "
                          "ends with -");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<RecipientRow>> ParseRecipientsCsv(absl::string_view csv,
                                                             const std::string& default_language) {
  if (!IsKnownLanguage(default_language)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the default language must be it or en, not \"", default_language, "\""));
  }
  if (csv.size() > kMaxRecipientsCsvBytes) {
    return absl::InvalidArgumentError(absl::StrCat(kCsv, " is ", csv.size(),
                                                   " bytes; the limit is ", kMaxRecipientsCsvBytes,
                                                   " (1 MiB)"));
  }
  if (size_t bad = FirstInvalidUtf8(csv); bad != absl::string_view::npos) {
    const size_t line = 1 + std::count(csv.begin(), csv.begin() + bad, '\n');
    return absl::InvalidArgumentError(
        absl::StrCat(kCsv, " line ", line, ": not UTF-8 (save the file as CSV UTF-8)"));
  }
  auto split = SplitCsv(csv);
  if (!split.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(kCsv, " ", split.status().message()));
  }
  std::vector<CsvRow>& rows = *split;
  if (rows.empty()) return absl::InvalidArgumentError(absl::StrCat(kCsv, " is empty: no header"));
  if (rows.size() - 1 > kMaxRecipientsRows) {
    return absl::InvalidArgumentError(absl::StrCat(kCsv, " has ", rows.size() - 1,
                                                   " recipients; the limit is ",
                                                   kMaxRecipientsRows));
  }

  // Header: each of our three columns once, in any order, and nothing else.
  const std::vector<std::string> columns = {"name", "email", "language"};
  std::map<std::string, size_t> index;
  const CsvRow& header = rows.front();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string column = absl::AsciiStrToLower(absl::StripAsciiWhitespace(header.fields[i]));
    auto line_error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(
          absl::StrCat(kCsv, " line ", header.line, ": ", what, "; the header must be ",
                       absl::StrJoin(columns, ","), " in any order"));
    };
    if (std::find(columns.begin(), columns.end(), column) == columns.end()) {
      return line_error(absl::StrCat("unknown column \"", header.fields[i], "\""));
    }
    if (!index.emplace(column, i).second) {
      return line_error(absl::StrCat("column ", column, " appears twice"));
    }
  }
  for (const std::string& column : columns) {
    if (!index.count(column)) {
      return absl::InvalidArgumentError(
          absl::StrCat(kCsv, " line ", header.line, ": the header lacks the column ", column,
                       " (it must be ", absl::StrJoin(columns, ","), " in any order)"));
    }
  }

  std::vector<RecipientRow> recipients;
  recipients.reserve(rows.size() - 1);
  std::map<std::string, int> line_of;  // lower-case address -> line, to refuse duplicates
  for (size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    auto line_error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(kCsv, " line ", row.line, ": ", what));
    };
    if (row.fields.size() != header.fields.size()) {
      return line_error(absl::StrCat("has ", row.fields.size(), " fields; the header has ",
                                     header.fields.size()));
    }
    RecipientRow recipient;
    recipient.name = std::string(absl::StripAsciiWhitespace(row.fields[index["name"]]));
    recipient.email = std::string(absl::StripAsciiWhitespace(row.fields[index["email"]]));
    recipient.language = absl::AsciiStrToLower(
        absl::StripAsciiWhitespace(row.fields[index["language"]]));
    // The name goes into a To: header.
    for (char c : recipient.name) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return line_error("name holds a control character (a line break?)");
      }
    }
    if (absl::Status valid = ValidateEmailAddress("email", recipient.email); !valid.ok()) {
      return line_error(valid.message());
    }
    if (recipient.language.empty()) recipient.language = default_language;
    if (!IsKnownLanguage(recipient.language)) {
      return line_error(absl::StrCat("language \"", row.fields[index["language"]],
                                     "\" must be it or en (or empty for ", default_language,
                                     ")"));
    }
    auto [earlier, inserted] = line_of.emplace(absl::AsciiStrToLower(recipient.email), row.line);
    if (!inserted) {
      return line_error(absl::StrCat("email \"", recipient.email, "\" is already on line ",
                                     earlier->second));
    }
    recipients.push_back(std::move(recipient));
  }
  return recipients;
}

}  // namespace breachd::dispatch
