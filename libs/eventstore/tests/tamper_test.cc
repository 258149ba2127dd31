// Tampering of each kind, done to the raw RocksDB bytes with the store closed; Verify must name
// the first bad event.
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventstore/database.h"
#include "libs/eventstore/event_hash.h"
#include "libs/eventstore/storage_layout.h"
#include "libs/eventstore/tests/event_store_fixture.h"

namespace breachd::eventstore {
namespace {

using ::breachd::testing::IsOk;
using testing::EventStoreTest;
using ::testing::HasSubstr;
using testing::MakeAppend;
using testing::MakeEvent;

class TamperTest : public EventStoreTest {
 protected:
  void SetUp() override {
    EventStoreTest::SetUp();
    // Stream "a" gets versions 1..4, interleaved with stream "b" so positions are not contiguous.
    for (const char* stream : {"a", "b", "a", "a", "a", "b"}) {
      ASSERT_OK_AND_ASSIGN(AppendResult result, store().Append(MakeAppend(stream, 1)));
      if (std::string(stream) == "a") a_.push_back(result.events[0]);
    }
    ASSERT_OK_AND_ASSIGN(VerifyReport clean, store().Verify());
    ASSERT_TRUE(clean.ok) << clean.problem;
    Close();
    ASSERT_OK_AND_ASSIGN(raw_, Database::Open(dir_.path()));
  }

  // Closes the raw database, reopens the store and verifies everything.
  VerifyReport VerifyAfterTampering(const std::string& stream = "") {
    raw_.reset();
    Reopen();
    absl::StatusOr<VerifyReport> report = store().Verify(stream);
    EXPECT_THAT(report, IsOk());
    return report.value_or(VerifyReport{});
  }

  void Put(rocksdb::ColumnFamilyHandle* family, const std::string& key, const std::string& value) {
    ASSERT_TRUE(raw_->db()->Put(rocksdb::WriteOptions(), family, key, value).ok());
  }
  void Delete(rocksdb::ColumnFamilyHandle* family, const std::string& key) {
    ASSERT_TRUE(raw_->db()->Delete(rocksdb::WriteOptions(), family, key).ok());
  }
  std::string RawEvent(uint64_t position) {
    std::string bytes;
    EXPECT_TRUE(
        raw_->db()
            ->Get(rocksdb::ReadOptions(), raw_->events(), layout::EncodePosition(position), &bytes)
            .ok());
    return bytes;
  }
  void PutEvent(const EventEnvelope& event) {
    Put(raw_->events(), layout::EncodePosition(event.position()), SerializeDeterministic(event));
  }
  void Index(const std::string& stream, uint64_t version, uint64_t position) {
    Put(raw_->stream_index(), layout::StreamKey(stream, version), layout::EncodePosition(position));
  }
  void DeleteEverywhere(const EventEnvelope& event) {
    Delete(raw_->events(), layout::EncodePosition(event.position()));
    Delete(raw_->stream_index(), layout::StreamKey(event.stream_id(), event.stream_version()));
    Delete(raw_->event_ids(), event.event_id());
    Delete(raw_->outbox(), layout::EncodePosition(event.position()));
  }
  // A forged event that links correctly to `previous`, as a careful attacker would write it.
  EventEnvelope Forge(const EventEnvelope& previous, uint64_t position) {
    EventEnvelope forged = MakeEvent("forged-event");
    forged.set_stream_id(previous.stream_id());
    forged.set_stream_version(previous.stream_version() + 1);
    forged.set_position(position);
    forged.set_prev_hash(previous.hash());
    forged.set_hash(ComputeEventHash(forged));
    return forged;
  }

  void ExpectFirstBad(const VerifyReport& report, uint64_t version, const std::string& event_id,
                      const std::string& problem) {
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.first_bad_stream, "a");
    EXPECT_EQ(report.first_bad_version, version);
    EXPECT_EQ(report.first_bad_event_id, event_id);
    EXPECT_THAT(report.problem, HasSubstr(problem));
  }

  std::vector<EventEnvelope> a_;  // stream "a", versions 1..4
  std::unique_ptr<Database> raw_;
};

TEST_F(TamperTest, EditedBytesAreNamed) {
  std::string bytes = RawEvent(a_[1].position());
  const size_t at = bytes.find("payload of");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 'P';
  Put(raw_->events(), layout::EncodePosition(a_[1].position()), bytes);

  ExpectFirstBad(VerifyAfterTampering(), 2, a_[1].event_id(), "hash mismatch");
  ExpectFirstBad(VerifyAfterTampering("a"), 2, a_[1].event_id(), "hash mismatch");
  EXPECT_TRUE(VerifyAfterTampering("b").ok);
}

TEST_F(TamperTest, EditedAndRehashedEventIsNamed) {
  EventEnvelope edited = a_[1];
  edited.mutable_actor()->set_subject("user:someone-else");
  edited.set_hash(ComputeEventHash(edited));
  PutEvent(edited);
  ExpectFirstBad(VerifyAfterTampering(), 2, a_[1].event_id(), "rewritten");
}

TEST_F(TamperTest, DeletedEventIsNamed) {
  DeleteEverywhere(a_[1]);
  ExpectFirstBad(VerifyAfterTampering(), 2, "", "version gap");
}

TEST_F(TamperTest, DeletedEventBytesAreNamed) {
  Delete(raw_->events(), layout::EncodePosition(a_[2].position()));
  ExpectFirstBad(VerifyAfterTampering(), 3, "", "missing");
}

TEST_F(TamperTest, DeletedNewestEventIsNamed) {
  DeleteEverywhere(a_[3]);
  ExpectFirstBad(VerifyAfterTampering(), 4, "", "events missing");
}

TEST_F(TamperTest, EventInsertedMidStreamIsNamed) {
  // The strongest forger: a correctly linked event at version 3, later versions renumbered and
  // the stream head moved along.
  const EventEnvelope forged = Forge(a_[1], 100);
  PutEvent(forged);
  Put(raw_->event_ids(), forged.event_id(), layout::EncodePosition(100));
  Index("a", 3, 100);
  Index("a", 4, a_[2].position());
  Index("a", 5, a_[3].position());
  Put(raw_->meta(), layout::StreamHeadKey("a"),
      layout::EncodeStreamHead({.version = 5, .hash = a_[3].hash()}));
  ExpectFirstBad(VerifyAfterTampering(), 3, forged.event_id(), "inserted");
}

TEST_F(TamperTest, EventAppendedBehindTheStoresBackIsNamed) {
  const EventEnvelope forged = Forge(a_[3], 100);
  PutEvent(forged);
  Put(raw_->event_ids(), forged.event_id(), layout::EncodePosition(100));
  Index("a", 5, 100);
  ExpectFirstBad(VerifyAfterTampering(), 5, forged.event_id(), "beyond the stream head");
}

TEST_F(TamperTest, EventSlippedBesideTheChainIsNamed) {
  EventEnvelope copy = a_[1];
  copy.set_position(100);
  PutEvent(copy);
  ExpectFirstBad(VerifyAfterTampering(), 2, a_[1].event_id(), "not part of its stream's chain");
}

TEST_F(TamperTest, ReorderedEventsAreNamed) {
  // Swap the stored bytes of versions 2 and 3.
  const std::string second = RawEvent(a_[1].position());
  const std::string third = RawEvent(a_[2].position());
  Put(raw_->events(), layout::EncodePosition(a_[1].position()), third);
  Put(raw_->events(), layout::EncodePosition(a_[2].position()), second);
  ExpectFirstBad(VerifyAfterTampering(), 2, a_[2].event_id(), "out of place");
}

TEST_F(TamperTest, ReorderedIndexIsNamed) {
  Index("a", 2, a_[2].position());
  Index("a", 3, a_[1].position());
  ExpectFirstBad(VerifyAfterTampering(), 2, a_[2].event_id(), "out of place");
}

}  // namespace
}  // namespace breachd::eventstore
