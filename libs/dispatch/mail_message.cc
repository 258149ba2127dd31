#include "libs/dispatch/mail_message.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "libs/common/status_macros.h"
#include "libs/dispatch/recipients.h"

namespace breachd::dispatch {
namespace {

constexpr size_t kMaxLine = 76;  // RFC 2045's limit for encoded lines (RFC 5322 advises 78)
constexpr absl::string_view kCrlf = "\r\n";
constexpr absl::string_view kWordStart = "=?UTF-8?B?";
constexpr absl::string_view kWordEnd = "?=";

// Headers ComposeMime writes itself, or that would change who gets the message.
constexpr absl::string_view kReservedHeaders[] = {
    "date",         "from",         "to",
    "cc",           "bcc",          "subject",
    "message-id",   "mime-version", "content-type",
    "content-transfer-encoding",    "content-language",
    "auto-submitted", "sender"};

bool IsPlainAscii(absl::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool HasLineBreak(absl::string_view text) {
  return text.find_first_of("\r\n") != absl::string_view::npos;
}

// A header value on one line, whatever the caller passed.
std::string OneLine(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"\r\n", " "}, {"\r", " "}, {"\n", " "}});
}

// The longest prefix of `text` of at most `budget` bytes that does not cut a UTF-8 sequence.
size_t Utf8Prefix(absl::string_view text, size_t budget) {
  if (budget >= text.size()) return text.size();
  size_t end = budget;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return end == 0 ? budget : end;  // not UTF-8 at all: cut anywhere rather than loop
}

// A stable boundary that cannot occur in quoted-printable text ("=_" is never an escape).
std::string Boundary(const MailMessage& message) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (absl::string_view part : {absl::string_view(message.message_id),
                                 absl::string_view(message.text_body),
                                 absl::string_view(message.html_body)}) {
    for (char c : part) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  return absl::StrFormat("=_breachd_%016x", hash);
}

void AppendTextPart(std::string& out, absl::string_view subtype, absl::string_view text) {
  absl::StrAppend(&out, "Content-Type: text/", subtype, "; charset=UTF-8", kCrlf,
                  "Content-Transfer-Encoding: quoted-printable", kCrlf, kCrlf,
                  QuotedPrintable(text));
}

}  // namespace

std::string EncodeHeaderText(absl::string_view text, size_t header_name_length) {
  const size_t first_line_used = header_name_length + 2;  // "Name: "
  if (IsPlainAscii(text) && !absl::StrContains(text, "=?") &&
      first_line_used + text.size() <= kMaxLine) {
    return std::string(text);
  }
  std::string out;
  size_t used = first_line_used;
  const size_t overhead = kWordStart.size() + kWordEnd.size();
  while (!text.empty()) {
    if (!out.empty()) {
      absl::StrAppend(&out, kCrlf, " ");
      used = 1;
    }
    // Base64 turns 3 bytes into 4 characters.
    const size_t room = kMaxLine > used + overhead ? kMaxLine - used - overhead : 4;
    const size_t take = Utf8Prefix(text, std::max<size_t>(room / 4 * 3, 3));
    absl::StrAppend(&out, kWordStart, absl::Base64Escape(text.substr(0, take)), kWordEnd);
    text.remove_prefix(take);
  }
  return out;
}

std::string QuotedPrintable(absl::string_view text) {
  std::string out;
  out.reserve(text.size() * 11 / 10 + 16);
  size_t line_length = 0;
  auto emit = [&](absl::string_view token) {
    // Keep room for the "=" of a soft line break.
    if (line_length + token.size() > kMaxLine - 1) {
      absl::StrAppend(&out, "=", kCrlf);
      line_length = 0;
    }
    out.append(token.data(), token.size());
    line_length += token.size();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;  // CRLF: at the \n
    if (c == '\n' || c == '\r') {
      out.append(kCrlf.data(), kCrlf.size());
      line_length = 0;
      continue;
    }
    const bool line_ends = i + 1 == text.size() || text[i + 1] == '\n' || text[i + 1] == '\r';
    const unsigned char u = static_cast<unsigned char>(c);
    // Trailing blanks would be lost in transport: encode them.
    if ((u >= 33 && u <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_ends)) {
      emit(absl::string_view(&c, 1));
    } else {
      emit(absl::StrFormat("=%02X", u));
    }
  }
  if (!absl::EndsWith(out, kCrlf)) absl::StrAppend(&out, kCrlf);
  return out;
}

std::string FormatMailbox(absl::string_view name, absl::string_view address) {
  const std::string clean_name = OneLine(name);
  if (clean_name.empty()) return std::string(address);
  std::string phrase;
  if (IsPlainAscii(clean_name) && !absl::StrContains(clean_name, "=?")) {
    phrase = absl::StrCat("\"", absl::StrReplaceAll(clean_name, {{"\\", "\\\\"}, {"\"", "\\\""}}),
                          "\"");
  } else {
    phrase = EncodeHeaderText(clean_name, /*header_name_length=*/4);  // "From"
  }
  return absl::StrCat(phrase, " <", address, ">");
}

absl::Status ValidateMailMessage(const MailMessage& message) {
  RETURN_IF_ERROR(ValidateEmailAddress("to_address", message.to_address));
  const size_t at = message.message_id.find('@');
  if (message.message_id.size() < 5 || message.message_id.front() != '<' ||
      message.message_id.back() != '>' || at == std::string::npos || at < 2 ||
      at + 2 >= message.message_id.size() ||
      message.message_id.find_first_of(" \t\r\n<>", 1) != message.message_id.size() - 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "message_id \"", message.message_id, "\" must look like <key@breachd>"));
  }
  if (message.text_body.empty()) {
    return absl::InvalidArgumentError("text_body is empty: every message has a plain text part");
  }
  for (auto [field, value] : {std::pair{"to_name", &message.to_name},
                              std::pair{"subject", &message.subject},
                              std::pair{"language", &message.language}}) {
    if (HasLineBreak(*value)) {
      return absl::InvalidArgumentError(absl::StrCat(field, " holds a line break"));
    }
  }
  for (const auto& [name, value] : message.extra_headers) {
    const bool is_token = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return absl::ascii_isalnum(c) || c == '-';
    });
    if (!is_token) {
      return absl::InvalidArgumentError(
          absl::StrCat("extra header name \"", name, "\" is not letters, digits and -"));
    }
    for (absl::string_view reserved : kReservedHeaders) {
      if (absl::EqualsIgnoreCase(name, reserved)) {
        return absl::InvalidArgumentError(
            absl::StrCat("extra header ", name, " would replace one the message sets itself"));
      }
    }
    if (HasLineBreak(value)) {
      return absl::InvalidArgumentError(absl::StrCat("extra header ", name, " holds a line break"));
    }
  }
  return absl::OkStatus();
}

std::string ComposeMime(const MailMessage& message, const SmtpSettings& settings,
                        absl::Time date) {
  std::string out;
  absl::StrAppend(
      &out, "Date: ",
      absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", date, absl::UTCTimeZone()), kCrlf,
      "From: ", FormatMailbox(settings.from_name, settings.from_address), kCrlf,
      "To: ", FormatMailbox(message.to_name, message.to_address), kCrlf,
      "Subject: ", EncodeHeaderText(OneLine(message.subject), 7), kCrlf);
  if (!message.message_id.empty()) {
    absl::StrAppend(&out, "Message-ID: ", OneLine(message.message_id), kCrlf);
  }
  absl::StrAppend(&out, "MIME-Version: 1.0", kCrlf);
  if (!message.language.empty()) {
    absl::StrAppend(&out, "Content-Language: ", OneLine(message.language), kCrlf);
  }
  // RFC 3834: tells auto-responders (out-of-office) not to answer.
  absl::StrAppend(&out, "Auto-Submitted: auto-generated", kCrlf);
  for (const auto& [name, value] : message.extra_headers) {
    absl::StrAppend(&out, name, ": ", EncodeHeaderText(OneLine(value), name.size()), kCrlf);
  }
  if (message.html_body.empty()) {
    AppendTextPart(out, "plain", message.text_body);
    return out;
  }
  const std::string boundary = Boundary(message);
  absl::StrAppend(&out, "Content-Type: multipart/alternative; boundary=\"", boundary, "\"",
                  kCrlf, kCrlf, "--", boundary, kCrlf);
  // The CRLF before a boundary belongs to the boundary (RFC 2046 5.1.1), so each part gets
  // one more to keep its own last line end.
  AppendTextPart(out, "plain", message.text_body);
  absl::StrAppend(&out, kCrlf, "--", boundary, kCrlf);
  AppendTextPart(out, "html", message.html_body);
  absl::StrAppend(&out, kCrlf, "--", boundary, "--", kCrlf);
  return out;
}

}  // namespace breachd::dispatch
