#include "libs/dispatch/smtp_sender.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "libs/common/status_macros.h"
#include "libs/dispatch/curl_util.h"
#include "libs/dispatch/reply_code.h"

namespace breachd::dispatch {
namespace {

using internal::CurlHandle;
using internal::CurlList;

// The MIME text handed to curl piece by piece.
struct Upload {
  absl::string_view remaining;
  static size_t Read(char* buffer, size_t size, size_t count, void* self) {
    auto* upload = static_cast<Upload*>(self);
    const size_t n = std::min(size * count, upload->remaining.size());
    std::memcpy(buffer, upload->remaining.data(), n);
    upload->remaining.remove_prefix(n);
    return n;
  }
};

// The server's replies, as curl reports them to the debug callback (CURLINFO_HEADER_IN). Only
// what comes in is kept: what goes out holds the AUTH credentials.
struct Replies {
  std::vector<std::string> lines;
  static int Debug(CURL*, curl_infotype type, char* data, size_t size, void* self) {
    if (type == CURLINFO_HEADER_IN) {
      auto* replies = static_cast<Replies*>(self);
      replies->lines.emplace_back(absl::StripTrailingAsciiWhitespace(absl::string_view(data, size)));
      // A long session (many EHLO lines) needs only its end.
      if (replies->lines.size() > 64) replies->lines.erase(replies->lines.begin());
    }
    return 0;
  }
  // The last reply with `code` (curl's CURLINFO_RESPONSE_CODE; 0: the last reply at all),
  // with all lines of a multi-line one ("250-..." then "250 ..."). Searching by code skips
  // the "221 Bye" of the QUIT curl sends after a failed command.
  std::string Reply(long code) const {
    const std::string prefix = code > 0 ? absl::StrCat(code) : "";
    size_t last = lines.size();
    while (last > 0 && !absl::StartsWith(lines[last - 1], prefix)) --last;
    if (last == 0) return "";
    size_t first = last - 1;
    const std::string reply_code = lines[first].substr(0, 3);
    while (first > 0 && lines[first - 1].size() > 3 &&
           lines[first - 1].compare(0, 3, reply_code) == 0 && lines[first - 1][3] == '-') {
      --first;
    }
    return absl::StrJoin(lines.begin() + first, lines.begin() + last, " ");
  }
};

}  // namespace

SmtpSender::SmtpSender(SmtpSettings settings) : settings_(std::move(settings)) {}

absl::StatusOr<std::string> SmtpSender::Send(const MailMessage& message) const {
  return SendAt(message, absl::Now());
}

absl::StatusOr<std::string> SmtpSender::SendAt(const MailMessage& message,
                                               absl::Time date) const {
  RETURN_IF_ERROR(ValidateSmtpSettings(settings_));
  RETURN_IF_ERROR(ValidateMailMessage(message));
  const std::string mime = ComposeMime(message, settings_, date);

  ASSIGN_OR_RETURN(CurlHandle handle, internal::NewCurlHandle());
  CURL* curl = handle.get();
  CurlList recipients;
  RETURN_IF_ERROR(internal::Append(recipients, absl::StrCat("<", message.to_address, ">")));
  Upload upload{mime};
  Replies replies;
  char error[CURL_ERROR_SIZE] = {0};
  const std::string from = absl::StrCat("<", settings_.from_address, ">");

  BREACHD_CURL_SET(curl, CURLOPT_URL, settings_.url.c_str());
  BREACHD_CURL_SET(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  BREACHD_CURL_SET(curl, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM in a multi-threaded server
  BREACHD_CURL_SET(curl, CURLOPT_ERRORBUFFER, error);
  BREACHD_CURL_SET(curl, CURLOPT_MAIL_FROM, from.c_str());
  BREACHD_CURL_SET(curl, CURLOPT_MAIL_RCPT, recipients.get());
  BREACHD_CURL_SET(curl, CURLOPT_UPLOAD, 1L);
  BREACHD_CURL_SET(curl, CURLOPT_READFUNCTION, &Upload::Read);
  BREACHD_CURL_SET(curl, CURLOPT_READDATA, &upload);
  BREACHD_CURL_SET(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mime.size()));
  // STARTTLS on smtp:// must succeed, or nothing is sent; smtps:// is TLS from the start.
  BREACHD_CURL_SET(curl, CURLOPT_USE_SSL,
                   settings_.require_tls ? static_cast<long>(CURLUSESSL_ALL)
                                         : static_cast<long>(CURLUSESSL_NONE));
  BREACHD_CURL_SET(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(settings_.timeout)));
  if (!settings_.ca_file.empty()) BREACHD_CURL_SET(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
  if (!settings_.username.empty()) {
    BREACHD_CURL_SET(curl, CURLOPT_USERNAME, settings_.username.c_str());
    BREACHD_CURL_SET(curl, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  // The debug callback is how libcurl shows the server's reply text.
  BREACHD_CURL_SET(curl, CURLOPT_DEBUGFUNCTION, &Replies::Debug);
  BREACHD_CURL_SET(curl, CURLOPT_DEBUGDATA, &replies);
  BREACHD_CURL_SET(curl, CURLOPT_VERBOSE, 1L);

  const CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  const std::string reply = replies.Reply(code);
  if (rc == CURLE_OK) return reply;

  const std::string what = absl::StrCat(
      "SMTP ", settings_.url, " to ", message.to_address, ": ",
      error[0] != '\0' ? error : curl_easy_strerror(rc),
      reply.empty() ? "" : absl::StrCat(" (server: ", reply, ")"));
  // The reply code, when the server gave one, says whether trying again can help (RFC 5321
  // 4.2.1): 4xx transient, 5xx permanent. Without one: network, TLS or timeout, transient.
  if (code >= 500 && code < 600) return WithReplyCode(absl::FailedPreconditionError(what), code);
  if (code >= 400 && code < 500) return WithReplyCode(absl::UnavailableError(what), code);
  if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
    return absl::InvalidArgumentError(what);
  }
  return WithReplyCode(absl::UnavailableError(what), code);
}

}  // namespace breachd::dispatch
