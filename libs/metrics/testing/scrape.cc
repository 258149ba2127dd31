#include "libs/metrics/testing/scrape.h"

#include <curl/curl.h>

#include <cstdlib>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace breachd::metrics::testing {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

}  // namespace

absl::StatusOr<std::string> Scrape(int port) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  const std::string url = absl::StrCat("http://127.0.0.1:", port, "/metrics");
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  const CURLcode code = curl_easy_perform(curl);
  long http_status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat("GET ", url, ": ", curl_easy_strerror(code)));
  }
  if (http_status != 200) {
    return absl::UnavailableError(absl::StrCat("GET ", url, ": HTTP ", http_status));
  }
  return body;
}

std::optional<double> SampleValue(const std::string& exposition, const std::string& name,
                                  const std::map<std::string, std::string>& labels) {
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (!absl::StartsWith(line, name)) continue;
    const char after_name = line.size() > name.size() ? line[name.size()] : '\0';
    if (after_name != '{' && after_name != ' ') continue;
    const size_t value_at = line.rfind(' ');
    const std::string label_part = line.substr(name.size(), value_at - name.size());
    bool all_present = true;
    for (const auto& [key, value] : labels) {
      all_present = all_present && absl::StrContains(label_part, absl::StrCat(key, "=\"", value, "\""));
    }
    if (all_present) return std::strtod(line.c_str() + value_at + 1, nullptr);
  }
  return std::nullopt;
}

}  // namespace breachd::metrics::testing
