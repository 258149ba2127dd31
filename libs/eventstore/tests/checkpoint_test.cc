// Signed checkpoints: a store rewritten wholesale, with every hash recomputed, still has valid
// chains; only the checkpoint signed with the store's key tells.
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/eventstore/checkpoint.h"
#include "libs/eventstore/database.h"
#include "libs/eventstore/event_hash.h"
#include "libs/eventstore/key_chain.h"
#include "libs/eventstore/signing_key.h"
#include "libs/eventstore/storage_layout.h"
#include "libs/eventstore/tests/event_store_fixture.h"
#include "libs/eventstore/tests/wholesale_rewrite.h"

namespace breachd::eventstore {
namespace {

using ::breachd::testing::IsOk;
using testing::EventStoreTest;
using ::testing::HasSubstr;
using testing::MakeAppend;

class CheckpointTest : public EventStoreTest {
 protected:
  void SetUp() override {
    key_ = std::make_shared<SigningKey>(SigningKey::Generate());
    options_.signing_key = key_;
    options_.checkpoint_interval = absl::Hours(1);
    EventStoreTest::SetUp();
    for (const char* stream : {"a", "b", "a", "a", "c", "b"}) {
      ASSERT_THAT(store().Append(MakeAppend(stream, 1)).status(), IsOk());
    }
  }

  VerifyReport VerifyAll() {
    absl::StatusOr<VerifyReport> report = store().Verify();
    EXPECT_THAT(report, IsOk());
    return report.value_or(VerifyReport{});
  }

  void RewriteWholeStore() {
    Close();  // a clean close: it signs the true heads first
    ASSERT_THAT(testing::RewriteStoreWholesale(dir_.path()), IsOk());
  }

  // Reopens the store with no signing key, checking with `trusted` (what an auditor does with
  // the exported public key), so closing does not sign anything.
  void ReopenAsAuditor(const std::string& trusted) {
    options_.signing_key = nullptr;
    options_.trusted_public_key = trusted;
    Reopen();
  }

  std::shared_ptr<SigningKey> key_;
};

TEST_F(CheckpointTest, SignsTheHeadsAndVerifies) {
  ASSERT_OK_AND_ASSIGN(std::optional<Checkpoint> checkpoint, store().WriteCheckpoint());
  ASSERT_TRUE(checkpoint.has_value());
  EXPECT_EQ(checkpoint->position, store().LastPosition());
  EXPECT_EQ(checkpoint->streams, 3u);
  EXPECT_EQ(checkpoint->public_key, key_->public_key());
  EXPECT_TRUE(VerifySignature(key_->public_key(), CheckpointMessage(*checkpoint),
                              checkpoint->signature));

  // Nothing new: the same checkpoint, not another one.
  ASSERT_OK_AND_ASSIGN(std::optional<Checkpoint> again, store().WriteCheckpoint());
  EXPECT_EQ(again->signature, checkpoint->signature);

  const VerifyReport report = VerifyAll();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_TRUE(report.checkpoint_checked);
  EXPECT_EQ(report.checkpoint_position, checkpoint->position);
}

TEST_F(CheckpointTest, EventsAfterTheCheckpointStillVerify) {
  ASSERT_OK_AND_ASSIGN(std::optional<Checkpoint> checkpoint, store().WriteCheckpoint());
  // Later events move heads and add a stream; the checkpoint covers the heads at its position.
  for (const char* stream : {"a", "d", "b"}) {
    ASSERT_THAT(store().Append(MakeAppend(stream, 2)).status(), IsOk());
  }
  const VerifyReport report = VerifyAll();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.checkpoint_position, checkpoint->position);
}

TEST_F(CheckpointTest, CleanCloseSignsAndAReopenedStoreVerifies) {
  const uint64_t last = store().LastPosition();
  Close();  // signs at close
  ReopenAsAuditor(key_->public_key());
  ASSERT_OK_AND_ASSIGN(std::optional<Checkpoint> latest, store().LatestCheckpoint());
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->position, last);
  EXPECT_TRUE(VerifyAll().ok);
}

TEST_F(CheckpointTest, WholesaleRewriteWithRecomputedHashesFailsOnTheSignature) {
  RewriteWholeStore();  // the close before it signed the true heads

  // The chains alone cannot tell: every link and head was recomputed.
  options_.signing_key = nullptr;
  options_.trusted_public_key = "";
  Reopen();
  const VerifyReport chains_only = VerifyAll();
  EXPECT_TRUE(chains_only.ok) << chains_only.problem;
  EXPECT_FALSE(chains_only.checkpoint_checked);

  ReopenAsAuditor(key_->public_key());
  const VerifyReport report = VerifyAll();
  EXPECT_FALSE(report.ok);
  EXPECT_TRUE(report.checkpoint_checked);
  EXPECT_THAT(report.problem, HasSubstr("the store was rewritten"));
}

TEST_F(CheckpointTest, ARewriteResignedWithAnotherKeyIsNotTrusted) {
  RewriteWholeStore();
  // The attacker signs a fresh checkpoint over the forged heads with a key of their own.
  const SigningKey forger = SigningKey::Generate();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> raw, Database::Open(dir_.path()));
  const uint64_t last = *raw->LastStoredPosition();
  ASSERT_OK_AND_ASSIGN(Checkpoint forged,
                       SignCheckpoint(*raw, forger, last, absl::Now(), rocksdb::ReadOptions()));
  ASSERT_TRUE(raw->db()
                  ->Put(rocksdb::WriteOptions(), raw->meta(), layout::CheckpointKey(last),
                        layout::EncodeCheckpoint(forged))
                  .ok());
  raw.reset();

  ReopenAsAuditor(key_->public_key());
  const VerifyReport report = VerifyAll();
  EXPECT_FALSE(report.ok);
  EXPECT_THAT(report.problem, HasSubstr("is not signed by the trusted key"));
  EXPECT_THAT(report.problem, HasSubstr(ToHex(forger.public_key())));
}

TEST_F(CheckpointTest, ARewrittenStoreIsNeverSignedAgain) {
  RewriteWholeStore();
  Reopen();  // with the signing key, as a restarted breachd
  ASSERT_THAT(store().Append(MakeAppend("a", 1)).status(), IsOk());
  const absl::StatusOr<std::optional<Checkpoint>> refused = store().WriteCheckpoint();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(refused.status().message(), HasSubstr("the store was rewritten"));
  const VerifyReport report = VerifyAll();
  EXPECT_FALSE(report.ok);
  EXPECT_THAT(report.problem, HasSubstr("the store was rewritten"));
}

TEST_F(CheckpointTest, DeletedCheckpointsAreFound) {
  Close();
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> raw, Database::Open(dir_.path()));
    ASSERT_TRUE(raw->db()
                    ->DeleteRange(rocksdb::WriteOptions(), raw->meta(), layout::CheckpointPrefix(),
                                  layout::CheckpointKey(UINT64_MAX) + "\xff")
                    .ok());
  }
  ReopenAsAuditor(key_->public_key());
  const VerifyReport report = VerifyAll();
  EXPECT_FALSE(report.ok);
  EXPECT_THAT(report.problem, HasSubstr("no signed checkpoint"));
}

TEST_F(CheckpointTest, TheCheckpointerSignsSoonAfterTheFirstEvent) {
  options_.checkpoint_interval = absl::Milliseconds(100);
  Reopen();  // closing signed position 6 already
  ASSERT_THAT(store().Append(MakeAppend("e", 1)).status(), IsOk());
  const uint64_t last = store().LastPosition();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  std::optional<Checkpoint> latest;
  while (absl::Now() < deadline) {
    ASSERT_OK_AND_ASSIGN(latest, store().LatestCheckpoint());
    if (latest && latest->position == last) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->position, last);
}

TEST_F(CheckpointTest, WithoutASigningKeyNothingIsSigned) {
  options_.signing_key = nullptr;
  Reopen();
  EXPECT_EQ(store().WriteCheckpoint().status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SigningKeyTest, FilesAreCreatedPrivateAndLoadedBack) {
  breachd::testing::ScratchDir dir;
  const std::string path = dir.path() + "/checkpoint.key";
  ASSERT_OK_AND_ASSIGN(SigningKey created, SigningKey::LoadOrCreate(path));
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_OK_AND_ASSIGN(SigningKey loaded, SigningKey::Load(path));
  EXPECT_EQ(loaded.public_key(), created.public_key());
  ASSERT_OK_AND_ASSIGN(std::string public_file, ReadWholeFile(PublicKeyPath(path)));
  ASSERT_OK_AND_ASSIGN(std::string public_key, ParsePublicKeyHex(public_file));
  EXPECT_EQ(public_key, created.public_key());
  ASSERT_OK_AND_ASSIGN(SigningKey again, SigningKey::LoadOrCreate(path));
  EXPECT_EQ(again.public_key(), created.public_key());

  EXPECT_EQ(SigningKey::Load(dir.path() + "/missing.key").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_THAT(WriteFileAtomically(path, "not a key\n", 0600), IsOk());
  EXPECT_EQ(SigningKey::Load(path).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePublicKeyHex("abc").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SigningKeyTest, SignaturesVerifyOnlyWithTheirKeyAndMessage) {
  const SigningKey key = SigningKey::Generate();
  const std::string signature = key.Sign("heads");
  EXPECT_TRUE(VerifySignature(key.public_key(), "heads", signature));
  EXPECT_FALSE(VerifySignature(key.public_key(), "heads!", signature));
  EXPECT_FALSE(VerifySignature(SigningKey::Generate().public_key(), "heads", signature));
  EXPECT_FALSE(VerifySignature("short", "heads", signature));
}

TEST_F(CheckpointTest, AfterARotationCheckpointsOfEveryKeyInTheChainVerify) {
  // The old key signs at close; the store then runs with a new key endorsed by it.
  Close();
  KeyChain chain = KeyChain::Root(key_->public_key());
  auto next = std::make_shared<SigningKey>(SigningKey::Generate());
  ASSERT_THAT(chain.Rotate(*key_, next->public_key(), absl::FromUnixSeconds(1796029200)), IsOk());
  ASSERT_THAT(chain.Verify(key_->public_key()), IsOk());
  std::vector<std::string> keys = chain.PublicKeys();
  keys.pop_back();
  options_.signing_key = next;
  options_.earlier_public_keys = keys;
  Reopen();
  // The latest checkpoint is still the old key's: it verifies, and the new key may sign on.
  EXPECT_TRUE(VerifyAll().ok) << VerifyAll().problem;
  ASSERT_THAT(store().Append(MakeAppend("a", 2)).status(), IsOk());
  ASSERT_OK_AND_ASSIGN(std::optional<Checkpoint> signed_now, store().WriteCheckpoint());
  ASSERT_TRUE(signed_now.has_value());
  EXPECT_EQ(signed_now->public_key, next->public_key());
  EXPECT_TRUE(VerifyAll().ok);

  // Without the chain, the old key's checkpoint is someone else's.
  Close();
  options_.signing_key = nullptr;
  options_.trusted_public_key = next->public_key();
  options_.earlier_public_keys.clear();
  Reopen();
  EXPECT_TRUE(VerifyAll().ok);  // the latest is the new key's
}

TEST_F(CheckpointTest, AKeyOutsideTheChainIsStillRefused) {
  Close();
  auto stranger = std::make_shared<SigningKey>(SigningKey::Generate());
  options_.signing_key = nullptr;
  options_.trusted_public_key = SigningKey::Generate().public_key();
  options_.earlier_public_keys = {stranger->public_key()};  // not the key that signed
  Reopen();
  const VerifyReport report = VerifyAll();
  EXPECT_FALSE(report.ok);
  EXPECT_THAT(report.problem, ::testing::HasSubstr("is not signed by the trusted key"));
}

}  // namespace
}  // namespace breachd::eventstore
