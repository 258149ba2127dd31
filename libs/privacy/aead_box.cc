#include "libs/privacy/aead_box.h"

#include <sodium.h>

namespace breachd::privacy {
namespace {

constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

const unsigned char* Bytes(absl::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

std::string SealBox(const unsigned char* key, absl::string_view ad, absl::string_view plaintext) {
  std::string box(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, &written, Bytes(plaintext),
                                             plaintext.size(), Bytes(ad), ad.size(), nullptr,
                                             nonce, key);
  box.resize(kNonceBytes + written);
  return box;
}

std::optional<std::string> OpenBox(const unsigned char* key, absl::string_view ad,
                                   absl::string_view box) {
  if (box.size() < kNonceBytes + kTagBytes) return std::nullopt;
  std::string plaintext(box.size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long read = 0;
  const unsigned char* nonce = Bytes(box);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &read, nullptr, nonce + kNonceBytes,
          box.size() - kNonceBytes, Bytes(ad), ad.size(), nonce, key) != 0) {
    return std::nullopt;
  }
  plaintext.resize(read);
  return plaintext;
}

}  // namespace breachd::privacy
