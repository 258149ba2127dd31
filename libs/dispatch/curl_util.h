// What the SMTP and webhook senders share about libcurl: one global init, owning handles, and
// reading a URL's scheme and host with curl's own parser (so we check what curl will use).
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/common/status_macros.h"

namespace breachd::dispatch::internal {

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using CurlList = std::unique_ptr<curl_slist, CurlDeleter>;

// A new easy handle (curl_global_init done once per process first); INTERNAL if curl cannot.
absl::StatusOr<CurlHandle> NewCurlHandle();

// Appends to a header or recipient list; INTERNAL when curl cannot allocate.
absl::Status Append(CurlList& list, const std::string& item);

struct UrlParts {
  std::string scheme;  // lower case
  std::string host;    // without brackets for IPv6
};
// INVALID_ARGUMENT naming `field` when curl cannot parse `url` or it has no host.
absl::StatusOr<UrlParts> ParseUrl(absl::string_view field, const std::string& url);

// Sets an option, turning curl's refusal into a status that names it.
template <typename T>
absl::Status SetOption(CURL* curl, CURLoption option, T value, const char* name) {
  if (CURLcode rc = curl_easy_setopt(curl, option, value); rc != CURLE_OK) {
    return absl::InternalError(absl::StrCat("curl option ", name, ": ", curl_easy_strerror(rc)));
  }
  return absl::OkStatus();
}
#define BREACHD_CURL_SET(curl, option, value) \
  RETURN_IF_ERROR(::breachd::dispatch::internal::SetOption(curl, option, value, #option))

// 127.0.0.1, ::1 or localhost: the hosts where tests may go without TLS.
bool IsLoopbackHost(absl::string_view host);

}  // namespace breachd::dispatch::internal
