#include "libs/dispatch/mail_message.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::dispatch {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kDate = absl::FromUnixSeconds(1767225600);  // Thu, 01 Jan 2026 00:00:00 UTC

SmtpSettings Settings() {
  SmtpSettings settings;
  settings.url = "smtp://mail.example.org:587";
  settings.from_address = "notifiche@breachd.example.org";
  settings.from_name = "Servizio notifiche";
  return settings;
}

MailMessage Message() {
  MailMessage message;
  message.to_address = "mario.rossi@example.it";
  message.to_name = "Mario Rossi";
  message.subject = "Violazione dei dati: è necessaria un'azione";
  message.text_body = "Gentile Mario,\nla scuola ha rilevato una violazione. Perché?\n";
  message.message_id = "<01JD5Z8Q@breachd>";
  message.language = "it";
  message.extra_headers = {{"X-Breachd-Delivery", "dlv-42"}};
  return message;
}

// Decodes a header made of RFC 2047 "B" words, the way a mail reader does.
std::string DecodeWords(absl::string_view value) {
  std::string out;
  for (absl::string_view word : absl::StrSplit(value, absl::ByAnyChar(" \r\n"), absl::SkipEmpty())) {
    EXPECT_TRUE(absl::ConsumePrefix(&word, "=?UTF-8?B?")) << word;
    EXPECT_TRUE(absl::ConsumeSuffix(&word, "?=")) << word;
    std::string bytes;
    EXPECT_TRUE(absl::Base64Unescape(word, &bytes));
    out += bytes;
  }
  return out;
}

std::string DecodeQuotedPrintable(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out += text[i];
    } else if (text.substr(i + 1, 2) == "\r\n") {
      i += 2;  // soft line break
    } else {
      out += absl::HexStringToBytes(text.substr(i + 1, 2));
      i += 2;
    }
  }
  return out;
}

std::vector<std::string> Lines(const std::string& mime) {
  return absl::StrSplit(mime, "\r\n");
}

std::string HeaderValue(const std::string& mime, absl::string_view name) {
  const std::string head = mime.substr(0, mime.find("\r\n\r\n"));
  std::vector<std::string> lines = Lines(head);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!absl::StartsWith(lines[i], absl::StrCat(name, ": "))) continue;
    std::string value = lines[i].substr(name.size() + 2);
    while (i + 1 < lines.size() && absl::StartsWith(lines[i + 1], " ")) value += "\r\n" + lines[++i];
    return value;
  }
  return "";
}

TEST(ComposeMimeTest, EncodesTheItalianSubjectAsEncodedWords) {
  const std::string mime = ComposeMime(Message(), Settings(), kDate);
  const std::string subject = HeaderValue(mime, "Subject");
  EXPECT_TRUE(absl::StartsWith(subject, "=?UTF-8?B?")) << subject;
  EXPECT_EQ(DecodeWords(subject), "Violazione dei dati: è necessaria un'azione");
}

TEST(ComposeMimeTest, FoldsALongSubjectWithinTheLineLimitWithoutCuttingACharacter) {
  MailMessage message = Message();
  message.subject.clear();
  for (int i = 0; i < 20; ++i) message.subject += "àèìòù ";
  const std::string mime = ComposeMime(message, Settings(), kDate);
  for (const std::string& line : Lines(mime)) EXPECT_LE(line.size(), 76u) << line;
  // Each word decodes alone to whole characters: a cut sequence would not be UTF-8 on its own.
  const std::string subject = HeaderValue(mime, "Subject");
  EXPECT_THAT(subject, HasSubstr("\r\n "));
  EXPECT_EQ(DecodeWords(subject), message.subject);
}

TEST(ComposeMimeTest, LeavesAPlainAsciiSubjectAsItIs) {
  MailMessage message = Message();
  message.subject = "Data breach notice";
  EXPECT_EQ(HeaderValue(ComposeMime(message, Settings(), kDate), "Subject"), "Data breach notice");
}

TEST(ComposeMimeTest, WritesTheHeadersTheReceiverNeeds) {
  const std::string mime = ComposeMime(Message(), Settings(), kDate);
  EXPECT_EQ(HeaderValue(mime, "Date"), "Thu, 01 Jan 2026 00:00:00 +0000");
  EXPECT_EQ(HeaderValue(mime, "From"), "\"Servizio notifiche\" <notifiche@breachd.example.org>");
  EXPECT_EQ(HeaderValue(mime, "To"), "\"Mario Rossi\" <mario.rossi@example.it>");
  EXPECT_EQ(HeaderValue(mime, "Message-ID"), "<01JD5Z8Q@breachd>");
  EXPECT_EQ(HeaderValue(mime, "MIME-Version"), "1.0");
  EXPECT_EQ(HeaderValue(mime, "Content-Language"), "it");
  EXPECT_EQ(HeaderValue(mime, "Auto-Submitted"), "auto-generated");
  EXPECT_EQ(HeaderValue(mime, "X-Breachd-Delivery"), "dlv-42");
  EXPECT_EQ(HeaderValue(mime, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(HeaderValue(mime, "Content-Transfer-Encoding"), "quoted-printable");
}

TEST(ComposeMimeTest, UsesCrlfOnlyAndSendsTheUtf8BodyQuotedPrintable) {
  const std::string mime = ComposeMime(Message(), Settings(), kDate);
  for (size_t i = 0; i < mime.size(); ++i) {
    if (mime[i] == '\n') {
      ASSERT_TRUE(i > 0 && mime[i - 1] == '\r') << "bare LF at " << i;
    }
  }
  for (char c : mime) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << "8-bit byte in the text";
  const std::string body = mime.substr(mime.find("\r\n\r\n") + 4);
  EXPECT_THAT(body, HasSubstr("Perch=C3=A9?"));
  EXPECT_EQ(DecodeQuotedPrintable(body),
            "Gentile Mario,\r\nla scuola ha rilevato una violazione. Perché?\r\n");
}

TEST(ComposeMimeTest, EncodesANonAsciiDisplayName) {
  MailMessage message = Message();
  message.to_name = "Niccolò Bianchi";
  const std::string to = HeaderValue(ComposeMime(message, Settings(), kDate), "To");
  EXPECT_TRUE(absl::EndsWith(to, " <mario.rossi@example.it>")) << to;
  EXPECT_EQ(DecodeWords(to.substr(0, to.find(" <"))), "Niccolò Bianchi");
}

TEST(ComposeMimeTest, SendsTextAndHtmlAsMultipartAlternative) {
  MailMessage message = Message();
  message.html_body = "<p>Gentile Mario, <b>perché</b>?</p>";
  const std::string mime = ComposeMime(message, Settings(), kDate);
  const std::string content_type = HeaderValue(mime, "Content-Type");
  ASSERT_TRUE(absl::StartsWith(content_type, "multipart/alternative; boundary=\""))
      << content_type;
  const std::string boundary =
      content_type.substr(content_type.find('"') + 1,
                          content_type.rfind('"') - content_type.find('"') - 1);
  const std::vector<std::string> parts = absl::StrSplit(mime, absl::StrCat("--", boundary));
  ASSERT_EQ(parts.size(), 4u);  // headers, text, html, "--" epilogue
  EXPECT_THAT(parts[1], HasSubstr("Content-Type: text/plain; charset=UTF-8"));
  EXPECT_THAT(parts[2], HasSubstr("Content-Type: text/html; charset=UTF-8"));
  EXPECT_THAT(DecodeQuotedPrintable(parts[2]), HasSubstr("<b>perché</b>"));
  EXPECT_TRUE(absl::StartsWith(parts[3], "--\r\n"));
  // The same message composes the same way (a retry sends the same bytes).
  EXPECT_EQ(mime, ComposeMime(message, Settings(), kDate));
}

TEST(QuotedPrintableTest, KeepsLinesShortAndEncodesWhatTransportWouldHarm) {
  EXPECT_EQ(QuotedPrintable("a=b \nend\t"), "a=3Db=20\r\nend=09\r\n");
  const std::string long_line(200, 'x');
  const std::string encoded = QuotedPrintable(long_line);
  for (const std::string& line : Lines(encoded)) EXPECT_LE(line.size(), 76u);
  EXPECT_EQ(DecodeQuotedPrintable(encoded), long_line + "\r\n");
}

TEST(ValidateMailMessageTest, AcceptsAGoodMessage) { EXPECT_THAT(ValidateMailMessage(Message()), IsOk()); }

TEST(ValidateMailMessageTest, RefusesWhatWouldBreakTheMessageOrInjectHeaders) {
  struct Case {
    const char* name;
    void (*change)(MailMessage&);
    const char* error;
  };
  const Case cases[] = {
      {"bad address", [](MailMessage& m) { m.to_address = "mario@"; }, "to_address"},
      {"message id", [](MailMessage& m) { m.message_id = "01JD5Z8Q"; }, "message_id"},
      {"no text", [](MailMessage& m) { m.text_body.clear(); }, "text_body"},
      {"subject CRLF", [](MailMessage& m) { m.subject = "hi\r\nBcc: x@example.org"; }, "subject"},
      {"header name", [](MailMessage& m) { m.extra_headers = {{"X Bad", "1"}}; }, "X Bad"},
      {"reserved", [](MailMessage& m) { m.extra_headers = {{"bcc", "x@example.org"}}; }, "bcc"},
      {"header CRLF", [](MailMessage& m) { m.extra_headers = {{"X-A", "1\nTo: y"}}; }, "X-A"},
  };
  for (const Case& c : cases) {
    MailMessage message = Message();
    c.change(message);
    EXPECT_THAT(ValidateMailMessage(message),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.name;
  }
}

TEST(ComposeMimeTest, NeverWritesALineBreakFromAValueIntoTheHeaders) {
  MailMessage message = Message();
  message.subject = "hi\r\nBcc: victim@example.org";
  const std::string mime = ComposeMime(message, Settings(), kDate);
  EXPECT_THAT(mime, Not(HasSubstr("\r\nBcc:")));
}

}  // namespace
}  // namespace breachd::dispatch
