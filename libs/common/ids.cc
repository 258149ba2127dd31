#include "libs/common/ids.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace breachd {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void FillRandom(unsigned char* out, int n) {
  // RAND_bytes only fails when the OS entropy source is broken; nothing sensible can go on then.
  if (RAND_bytes(out, n) != 1) std::abort();
}

// A ULID of `millis` whose 80 other bits are `random`.
std::string EncodeUlid(uint64_t millis, const unsigned char* random) {
  std::string id(26, '0');
  // 48-bit timestamp -> 10 characters.
  uint64_t t = millis;
  for (int i = 9; i >= 0; --i) {
    id[i] = kCrockford[t & 31];
    t >>= 5;
  }
  // 80 random bits -> 16 characters.
  uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 5; ++i) hi = (hi << 8) | random[i];
  for (int i = 5; i < 10; ++i) lo = (lo << 8) | random[i];
  for (int i = 25; i >= 18; --i) {
    id[i] = kCrockford[lo & 31];
    lo >>= 5;
  }
  for (int i = 17; i >= 10; --i) {
    id[i] = kCrockford[hi & 31];
    hi >>= 5;
  }
  return id;
}

}  // namespace

std::string NewUlid(absl::Time now) {
  unsigned char random[10];
  FillRandom(random, sizeof(random));
  return EncodeUlid(static_cast<uint64_t>(absl::ToUnixMillis(now)), random);
}

std::string DerivedUlid(const std::string& base, const std::string& key) {
  uint64_t millis = 0;
  for (int i = 0; i < 10 && i < static_cast<int>(base.size()); ++i) {
    const char* at = std::strchr(kCrockford, base[i]);
    millis = (millis << 5) | static_cast<uint64_t>(at != nullptr && *at ? at - kCrockford : 0);
  }
  const std::string input = base + "/" + key;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return EncodeUlid(millis & ((uint64_t{1} << 48) - 1), digest);
}

bool IsUlid(const std::string& id) {
  if (id.size() != 26) return false;
  for (char c : id) {
    bool found = false;
    for (const char* p = kCrockford; *p; ++p) found |= (*p == c);
    if (!found) return false;
  }
  return id[0] <= '7';
}

std::string RandomHexToken(int bytes) {
  std::string raw(bytes, '\0');
  FillRandom(reinterpret_cast<unsigned char*>(raw.data()), bytes);
  std::string hex;
  hex.reserve(bytes * 2);
  char buf[3];
  for (unsigned char c : raw) {
    std::snprintf(buf, sizeof(buf), "%02x", c);
    hex += buf;
  }
  return hex;
}

}  // namespace breachd
