#include "libs/dispatch/curl_util.h"

#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace breachd::dispatch::internal {

absl::StatusOr<CurlHandle> NewCurlHandle() {
  static std::once_flag once;
  static CURLcode init = CURLE_OK;
  std::call_once(once, [] { init = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init != CURLE_OK) {
    return absl::InternalError(absl::StrCat("curl_global_init: ", curl_easy_strerror(init)));
  }
  CurlHandle handle(curl_easy_init());
  if (handle == nullptr) return absl::InternalError("curl_easy_init failed");
  return handle;
}

absl::Status Append(CurlList& list, const std::string& item) {
  curl_slist* extended = curl_slist_append(list.get(), item.c_str());
  if (extended == nullptr) return absl::InternalError("curl_slist_append failed");
  list.release();
  list.reset(extended);
  return absl::OkStatus();
}

absl::StatusOr<UrlParts> ParseUrl(absl::string_view field, const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), &curl_url_cleanup);
  if (parsed == nullptr) return absl::InternalError("curl_url failed");
  if (CURLUcode rc = curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0); rc != CURLUE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", url, "\" is not a URL: ", curl_url_strerror(rc)));
  }
  UrlParts parts;
  for (auto [part, out] : {std::pair{CURLUPART_SCHEME, &parts.scheme},
                           std::pair{CURLUPART_HOST, &parts.host}}) {
    char* value = nullptr;
    if (curl_url_get(parsed.get(), part, &value, 0) != CURLUE_OK || value == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " \"", url, "\" lacks a scheme or a host"));
    }
    *out = value;
    curl_free(value);
  }
  absl::AsciiStrToLower(&parts.scheme);
  if (parts.host.size() > 2 && parts.host.front() == '[' && parts.host.back() == ']') {
    parts.host = parts.host.substr(1, parts.host.size() - 2);
  }
  return parts;
}

bool IsLoopbackHost(absl::string_view host) {
  return host == "127.0.0.1" || host == "::1" || absl::EqualsIgnoreCase(host, "localhost");
}

}  // namespace breachd::dispatch::internal
