#include "libs/dispatch/webhook_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace breachd::dispatch {

std::string SignatureHeader(const std::string& secret, absl::Time at, const std::string& body) {
  const std::string timestamp = absl::StrCat(absl::ToUnixSeconds(at));
  const std::string signed_text = absl::StrCat(timestamp, ".", body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  // One-shot HMAC cannot fail with SHA-256 and in-memory inputs short of allocation failure;
  // then the MAC is empty and no receiver will accept it.
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac,
           &mac_length) == nullptr) {
    mac_length = 0;
  }
  return absl::StrCat("t=", timestamp, ",v1=",
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(mac), mac_length)));
}

}  // namespace breachd::dispatch
