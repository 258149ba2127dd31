// A bearer token as every RPC receives it, checked by the JWT authenticator (libjwt) against a
// fixed P-256 key, at a fixed time, so the seeds minted with its (throwaway, unpublished) private
// key stay valid: fuzz/corpus/jwt/valid-dpo.txt passes, the others fail at different checks.
#include "fuzz/fuzz_input.h"
#include "libs/auth/jwt_authenticator.h"
#include "libs/common/clock.h"

namespace {

constexpr char kPublicKey[] = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOOKzlXK19N59hTTrmCYmpy3vgDJQ
B6zpPIzIc0GJgmob1a7pkHuAo/dC3XTPQY4oTXAQ4NAk6hiQ36+k7Nyc0Q==
-----END PUBLIC KEY-----
)";

const breachd::auth::JwtAuthenticator& Authenticator() {
  static const auto* const clock =
      new breachd::SimulatedClock(absl::FromUnixSeconds(1796083200));  // 2026-12-01
  static const auto* const authenticator = [] {
    auto created = breachd::auth::JwtAuthenticator::Create(
        {{"dev", breachd::auth::kEs256, kPublicKey}}, {"breachd-dev", "breachd"}, *clock);
    if (!created.ok()) std::abort();
    return new breachd::auth::JwtAuthenticator(*std::move(created));
  }();
  return *authenticator;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)Authenticator().Authenticate(breachd::fuzz::Text(data, size));
  return 0;
}
