// The chain of checkpoint keys: each rotation endorsed by the key it replaces, followed by a
// third party from the root it holds; forged, reordered or foreign links are refused.
#include "libs/eventstore/key_chain.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::eventstore {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;

const absl::Time kAt = absl::FromUnixSeconds(1796029200);  // 2026-11-30T09:00:00Z

TEST(KeyChainTest, RotationsAreFollowedFromTheRootAfterARoundTrip) {
  const SigningKey first = SigningKey::Generate();
  const SigningKey second = SigningKey::Generate();
  const SigningKey third = SigningKey::Generate();
  KeyChain chain = KeyChain::Root(first.public_key());
  ASSERT_THAT(chain.Rotate(first, second.public_key(), kAt), IsOk());
  ASSERT_THAT(chain.Rotate(second, third.public_key(), kAt + absl::Hours(24 * 365)), IsOk());
  ASSERT_OK_AND_ASSIGN(KeyChain loaded, KeyChain::Parse(chain.Serialize()));
  EXPECT_THAT(loaded.Verify(first.public_key()), IsOk());
  EXPECT_EQ(loaded.current(), third.public_key());
  EXPECT_EQ(loaded.PublicKeys(),
            (std::vector<std::string>{first.public_key(), second.public_key(), third.public_key()}));
  EXPECT_THAT(chain.Serialize(), HasSubstr("2026-11-30T09:00:00Z"));
}

TEST(KeyChainTest, OnlyTheKeyInUseMayEndorseTheNext) {
  const SigningKey first = SigningKey::Generate();
  const SigningKey second = SigningKey::Generate();
  KeyChain chain = KeyChain::Root(first.public_key());
  EXPECT_THAT(chain.Rotate(second, SigningKey::Generate().public_key(), kAt),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not the chain's latest")));
  ASSERT_THAT(chain.Rotate(first, second.public_key(), kAt), IsOk());
  EXPECT_THAT(chain.Rotate(second, first.public_key(), kAt),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already in the chain")));
}

TEST(KeyChainTest, AForgedOrForeignChainIsRefused) {
  const SigningKey first = SigningKey::Generate();
  const SigningKey attacker = SigningKey::Generate();
  KeyChain chain = KeyChain::Root(first.public_key());
  ASSERT_THAT(chain.Rotate(first, SigningKey::Generate().public_key(), kAt), IsOk());
  // Another root than the one the auditor holds.
  EXPECT_THAT(chain.Verify(attacker.public_key()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not at the trusted key")));
  // The attacker swaps in their own key, keeping the old endorsement.
  std::string text = chain.Serialize();
  const std::string endorsed = ToHex(chain.current());
  text.replace(text.find(endorsed), endorsed.size(), ToHex(attacker.public_key()));
  ASSERT_OK_AND_ASSIGN(KeyChain forged, KeyChain::Parse(text));
  EXPECT_THAT(forged.Verify(first.public_key()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is not endorsed")));
  // ... or moves the rotation time.
  text = chain.Serialize();
  text.replace(text.find("2026-11-30"), 10, "2027-01-01");
  ASSERT_OK_AND_ASSIGN(KeyChain moved, KeyChain::Parse(text));
  EXPECT_FALSE(moved.Verify(first.public_key()).ok());
}

TEST(KeyChainTest, MalformedFilesNameTheLine) {
  EXPECT_THAT(KeyChain::Parse(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(KeyChain::Parse("abc\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 1")));
  const std::string root = ToHex(SigningKey::Generate().public_key());
  EXPECT_THAT(KeyChain::Parse(root + "\n" + root + " yesterday 00\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2")));
}

}  // namespace
}  // namespace breachd::eventstore
