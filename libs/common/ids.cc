#include "libs/common/ids.h"

#include <openssl/rand.h>

#include <cstdint>
#include <cstdio>

namespace breachd {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void FillRandom(unsigned char* out, int n) {
  // RAND_bytes only fails when the OS entropy source is broken; nothing sensible can go on then.
  if (RAND_bytes(out, n) != 1) std::abort();
}

}  // namespace

std::string NewUlid(absl::Time now) {
  const uint64_t millis = static_cast<uint64_t>(absl::ToUnixMillis(now));
  unsigned char random[10];
  FillRandom(random, sizeof(random));
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
