// Signed tokens: a good one gives its principal; expired, not yet valid, wrongly signed, wrong
// issuer or audience, alg none and HS256 signed with the public key are refused.
#include "libs/auth/jwt_authenticator.h"

#include <jwt.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/auth/jwt_minter.h"
#include "libs/auth/verification_keys.h"
#include "libs/common/clock.h"
#include "libs/common/files.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "nlohmann/json.hpp"

namespace breachd::auth {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kIssuer[] = "https://idp.example.org/realms/schools";
constexpr char kAudience[] = "breachd";

class JwtAuthenticatorTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(keys_, NewSigningKeyPair(GetParam()));
    ASSERT_OK_AND_ASSIGN(other_keys_, NewSigningKeyPair(GetParam()));
    ASSERT_OK_AND_ASSIGN(
        authenticator_,
        JwtAuthenticator::Create({{"k1", GetParam(), keys_.public_key_pem}},
                                 {kIssuer, kAudience, absl::Seconds(60)}, clock_));
  }

  TokenClaims GoodClaims() const {
    TokenClaims claims;
    claims.principal = {"user:dpo", "MIIS01200V", {"school-dpo"}};
    claims.issuer = kIssuer;
    claims.audience = kAudience;
    claims.issued_at = clock_.Now();
    claims.not_before = clock_.Now();
    claims.expires = clock_.Now() + absl::Minutes(15);
    claims.kid = "k1";
    return claims;
  }

  std::string Mint(const TokenClaims& claims) const {
    auto token = MintToken(claims, keys_.private_key_pem);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  FakeClock clock_;
  SigningKeyPair keys_;
  SigningKeyPair other_keys_;
  std::optional<JwtAuthenticator> authenticator_;
};

TEST_P(JwtAuthenticatorTest, GoodTokenGivesItsPrincipal) {
  ASSERT_OK_AND_ASSIGN(Principal principal, authenticator_->Authenticate(Mint(GoodClaims())));
  EXPECT_EQ(principal.subject, "user:dpo");
  EXPECT_EQ(principal.tenant, "MIIS01200V");
  EXPECT_THAT(principal.roles, ElementsAre("school-dpo"));
}

TEST_P(JwtAuthenticatorTest, ExpiredTokenIsRefusedBeyondTheClockSkew) {
  TokenClaims claims = GoodClaims();
  claims.expires = clock_.Now() - absl::Seconds(30);  // within the 60 s skew
  EXPECT_TRUE(authenticator_->Authenticate(Mint(claims)).ok());
  claims.expires = clock_.Now() - absl::Minutes(5);
  EXPECT_THAT(authenticator_->Authenticate(Mint(claims)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("expired")));
}

TEST_P(JwtAuthenticatorTest, NotYetValidTokenIsRefused) {
  TokenClaims claims = GoodClaims();
  claims.not_before = clock_.Now() + absl::Minutes(5);
  EXPECT_THAT(authenticator_->Authenticate(Mint(claims)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("not valid before")));
}

TEST_P(JwtAuthenticatorTest, TokenSignedByAnotherKeyIsRefused) {
  auto forged = MintToken(GoodClaims(), other_keys_.private_key_pem);
  ASSERT_TRUE(forged.ok());
  EXPECT_THAT(authenticator_->Authenticate(*forged),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("signature")));
}

TEST_P(JwtAuthenticatorTest, TamperedClaimsAreRefused) {
  const std::string token = Mint(GoodClaims());
  const size_t first_dot = token.find('.');
  const size_t second_dot = token.find('.', first_dot + 1);
  std::string payload;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(
      token.substr(first_dot + 1, second_dot - first_dot - 1), &payload));
  nlohmann::json claims = nlohmann::json::parse(payload);
  claims["tenant"] = "provider";
  claims["roles"] = {"provider-operator"};
  const std::string tampered = token.substr(0, first_dot + 1) +
                               absl::WebSafeBase64Escape(claims.dump()) +
                               token.substr(second_dot);
  EXPECT_THAT(authenticator_->Authenticate(tampered),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("signature")));
}

TEST_P(JwtAuthenticatorTest, WrongIssuerOrAudienceIsRefused) {
  TokenClaims claims = GoodClaims();
  claims.issuer = "https://evil.example.org";
  EXPECT_THAT(authenticator_->Authenticate(Mint(claims)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("iss")));
  claims = GoodClaims();
  claims.audience = "another-service";
  EXPECT_THAT(authenticator_->Authenticate(Mint(claims)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("aud")));
}

TEST_P(JwtAuthenticatorTest, UnknownKeyIdIsRefused) {
  TokenClaims claims = GoodClaims();
  claims.kid = "k2";
  EXPECT_THAT(authenticator_->Authenticate(Mint(claims)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("kid 'k2'")));
}

// An unsigned token with the good claims, as an attacker would write it.
std::string UnsignedToken(const std::string& alg, const std::string& claims_json) {
  const std::string header = nlohmann::json{{"alg", alg}, {"typ", "JWT"}}.dump();
  return absl::WebSafeBase64Escape(header) + "." + absl::WebSafeBase64Escape(claims_json) + ".";
}

TEST_P(JwtAuthenticatorTest, AlgNoneIsRefused) {
  const std::string token = Mint(GoodClaims());
  const size_t first_dot = token.find('.');
  std::string payload;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(
      token.substr(first_dot + 1, token.rfind('.') - first_dot - 1), &payload));
  EXPECT_THAT(authenticator_->Authenticate(UnsignedToken("none", payload)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("alg none")));
}

TEST_P(JwtAuthenticatorTest, Hs256SignedWithThePublicKeyIsRefused) {
  // The classic confusion: the public key (known to anyone) used as an HMAC secret.
  jwt_t* raw = nullptr;
  ASSERT_EQ(jwt_new(&raw), 0);
  const TokenClaims claims = GoodClaims();
  jwt_add_grant(raw, "sub", "user:ops");
  jwt_add_grant(raw, "iss", kIssuer);
  jwt_add_grant(raw, "aud", kAudience);
  jwt_add_grant(raw, "tenant", "provider");
  jwt_add_grants_json(raw, R"({"roles":["provider-operator"]})");
  jwt_add_grant_int(raw, "exp", absl::ToUnixSeconds(claims.expires));
  jwt_add_header(raw, "kid", "k1");
  jwt_set_alg(raw, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(keys_.public_key_pem.data()),
              static_cast<int>(keys_.public_key_pem.size()));
  char* encoded = jwt_encode_str(raw);
  ASSERT_NE(encoded, nullptr);
  const std::string token(encoded);
  std::free(encoded);
  jwt_free(raw);
  EXPECT_THAT(authenticator_->Authenticate(token),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("alg HS256")));
}

TEST_P(JwtAuthenticatorTest, MalformedOrMissingTokensAreRefused) {
  EXPECT_THAT(authenticator_->Authenticate(""), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(authenticator_->Authenticate("not-a-jwt"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("well-formed")));
  TokenClaims claims = GoodClaims();
  claims.principal.roles.clear();
  EXPECT_THAT(authenticator_->Authenticate(Mint(claims)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("roles")));
}

TEST_P(JwtAuthenticatorTest, JwksKeyVerifiesLikeItsPem) {
  ASSERT_OK_AND_ASSIGN(const std::string jwk, PublicKeyToJwk(keys_.public_key_pem, "k1"));
  ASSERT_OK_AND_ASSIGN(std::vector<VerificationKey> keys,
                       ParseJwks(absl::StrCat(R"({"keys":[)", jwk, "]}")));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].kid, "k1");
  EXPECT_EQ(keys[0].algorithm, GetParam());
  ASSERT_OK_AND_ASSIGN(JwtAuthenticator from_jwks,
                       JwtAuthenticator::Create(keys, {kIssuer, kAudience}, clock_));
  EXPECT_TRUE(from_jwks.Authenticate(Mint(GoodClaims())).ok());
}

INSTANTIATE_TEST_SUITE_P(Algorithms, JwtAuthenticatorTest, ::testing::Values(kEs256, kRs256));

TEST(VerificationKeysTest, SymmetricAndMalformedKeySetsAreRefused) {
  EXPECT_THAT(ParseJwks(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("symmetric")));
  EXPECT_THAT(ParseJwks("[]"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseJwks(R"({"keys":[{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}]})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("P-256")));
}

TEST(VerificationKeysTest, FolderOfPemKeysIsKeyedByFileName) {
  const breachd::testing::ScratchDir scratch("jwt_keys");
  const std::filesystem::path dir(scratch.path());
  ASSERT_OK_AND_ASSIGN(SigningKeyPair ec, NewSigningKeyPair(kEs256));
  ASSERT_OK_AND_ASSIGN(SigningKeyPair rsa, NewSigningKeyPair(kRs256));
  ASSERT_TRUE(WriteFileAtomically((dir / "ec-1.pem").string(), ec.public_key_pem, 0644).ok());
  ASSERT_TRUE(WriteFileAtomically((dir / "rsa-1.pem").string(), rsa.public_key_pem, 0644).ok());
  ASSERT_OK_AND_ASSIGN(std::vector<VerificationKey> keys, LoadVerificationKeys(dir.string()));
  ASSERT_EQ(keys.size(), 2u);
  for (const VerificationKey& key : keys) {
    EXPECT_EQ(key.algorithm, key.kid == "ec-1" ? kEs256 : kRs256) << key.kid;
  }
  EXPECT_THAT(LoadVerificationKeys((dir / "missing").string()),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace breachd::auth
