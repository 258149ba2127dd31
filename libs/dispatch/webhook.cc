#include "libs/dispatch/webhook.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/common/status_macros.h"
#include "libs/dispatch/curl_util.h"
#include "libs/dispatch/reply_code.h"

namespace breachd::dispatch {
namespace {

using internal::CurlHandle;
using internal::CurlList;

constexpr size_t kMaxKeptBody = 512;  // of the answer, for the status message and the log

// The answer's status line and the start of its body; the rest is read and dropped.
struct Answer {
  std::string status_line;
  std::string body;
  static size_t Header(char* data, size_t size, size_t count, void* self) {
    const absl::string_view line(data, size * count);
    // With a 100 Continue or a proxy there are several; the last one is the answer.
    if (absl::StartsWith(line, "HTTP/")) {
      static_cast<Answer*>(self)->status_line =
          std::string(absl::StripTrailingAsciiWhitespace(line));
    }
    return size * count;
  }
  static size_t Body(char* data, size_t size, size_t count, void* self) {
    auto* answer = static_cast<Answer*>(self);
    const size_t n = size * count;
    if (answer->body.size() < kMaxKeptBody) {
      answer->body.append(data, std::min(n, kMaxKeptBody - answer->body.size()));
    }
    return n;
  }
  // "404 Not Found" from "HTTP/1.1 404 Not Found" (HTTP/2 has no reason phrase: "404").
  std::string Status() const {
    const size_t space = status_line.find(' ');
    return space == std::string::npos ? status_line : status_line.substr(space + 1);
  }
};

bool HasLineBreak(absl::string_view text) {
  return text.find_first_of("\r\n") != absl::string_view::npos;
}

}  // namespace

absl::Status ValidateWebhookUrl(const std::string& url) {
  ASSIGN_OR_RETURN(internal::UrlParts parts, internal::ParseUrl("webhook url", url));
  if (parts.scheme == "https") return absl::OkStatus();
  if (parts.scheme == "http" && internal::IsLoopbackHost(parts.host)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "webhook url \"", url, "\" must be https:// (http:// only to 127.0.0.1, ::1 or localhost)"));
}

absl::StatusOr<std::string> WebhookSender::Post(const WebhookRequest& request,
                                                absl::Time now) const {
  RETURN_IF_ERROR(ValidateWebhookUrl(request.url));
  if (HasLineBreak(request.idempotency_key)) {
    return absl::InvalidArgumentError("idempotency_key holds a line break");
  }
  if (request.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("webhook timeout must be positive");
  }
  ASSIGN_OR_RETURN(CurlHandle handle, internal::NewCurlHandle());
  CURL* curl = handle.get();
  CurlList headers;
  RETURN_IF_ERROR(internal::Append(headers, "Content-Type: application/json"));
  RETURN_IF_ERROR(internal::Append(headers, "Expect:"));  // no 100-continue round trip
  if (!request.idempotency_key.empty()) {
    RETURN_IF_ERROR(
        internal::Append(headers, absl::StrCat("Idempotency-Key: ", request.idempotency_key)));
  }
  if (!request.secret.empty()) {
    RETURN_IF_ERROR(internal::Append(
        headers, absl::StrCat("X-Breachd-Signature: ",
                              SignatureHeader(request.secret, now, request.body_json))));
  }
  Answer answer;
  char error[CURL_ERROR_SIZE] = {0};
  BREACHD_CURL_SET(curl, CURLOPT_URL, request.url.c_str());
  BREACHD_CURL_SET(curl, CURLOPT_PROTOCOLS_STR, "https,http");
  BREACHD_CURL_SET(curl, CURLOPT_NOSIGNAL, 1L);
  BREACHD_CURL_SET(curl, CURLOPT_ERRORBUFFER, error);
  BREACHD_CURL_SET(curl, CURLOPT_HTTPHEADER, headers.get());
  BREACHD_CURL_SET(curl, CURLOPT_POSTFIELDS, request.body_json.c_str());
  BREACHD_CURL_SET(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(request.body_json.size()));
  BREACHD_CURL_SET(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(request.timeout)));
  BREACHD_CURL_SET(curl, CURLOPT_HEADERFUNCTION, &Answer::Header);
  BREACHD_CURL_SET(curl, CURLOPT_HEADERDATA, &answer);
  BREACHD_CURL_SET(curl, CURLOPT_WRITEFUNCTION, &Answer::Body);
  BREACHD_CURL_SET(curl, CURLOPT_WRITEDATA, &answer);
  BREACHD_CURL_SET(curl, CURLOPT_USERAGENT, "breachd-webhook/1");
  if (!request.ca_file.empty()) BREACHD_CURL_SET(curl, CURLOPT_CAINFO, request.ca_file.c_str());

  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat("webhook ", request.url, ": ",
                                               error[0] != '\0' ? error : curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  const std::string summary = absl::StrCat(answer.Status(), " ", answer.body);
  if (status >= 200 && status < 300) return std::string(absl::StripTrailingAsciiWhitespace(summary));
  const std::string what = absl::StrCat("webhook ", request.url, " answered ", summary);
  // 408 and 429 say "not now" (RFC 9110, RFC 6585); other 4xx (and redirects, which a
  // signed POST must not follow) will not change by themselves.
  if (status >= 500 || status == 408 || status == 429) {
    return WithReplyCode(absl::UnavailableError(what), status);
  }
  return WithReplyCode(absl::FailedPreconditionError(what), status);
}

}  // namespace breachd::dispatch
