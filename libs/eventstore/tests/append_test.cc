#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventstore/event_hash.h"
#include "libs/eventstore/tests/event_store_fixture.h"

namespace breachd::eventstore {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using testing::EventStoreTest;
using ::testing::HasSubstr;
using testing::MakeAppend;
using testing::MakeEvent;
using ::testing::SizeIs;

using AppendTest = EventStoreTest;

TEST_F(AppendTest, AssignsVersionsPositionsTimeAndChain) {
  ASSERT_OK_AND_ASSIGN(AppendResult result, store().Append(MakeAppend("breach-1", 2)));
  ASSERT_THAT(result.events, SizeIs(2));
  EXPECT_FALSE(result.duplicate);
  const EventEnvelope& first = result.events[0];
  const EventEnvelope& second = result.events[1];
  EXPECT_EQ(first.stream_id(), "breach-1");
  EXPECT_EQ(first.stream_version(), 1u);
  EXPECT_EQ(second.stream_version(), 2u);
  EXPECT_EQ(first.position(), 1u);
  EXPECT_EQ(second.position(), 2u);
  EXPECT_EQ(first.recorded_at().seconds(), absl::ToUnixSeconds(clock_.Now()));
  EXPECT_EQ(first.prev_hash(), GenesisHash());
  EXPECT_EQ(first.hash(), ComputeEventHash(first));
  EXPECT_EQ(second.prev_hash(), first.hash());
  EXPECT_EQ(second.hash(), ComputeEventHash(second));
  EXPECT_EQ(store().LastPosition(), 2u);
}

TEST_F(AppendTest, HashCoversEveryFieldButItself) {
  ASSERT_OK_AND_ASSIGN(AppendResult result, store().Append(MakeAppend("breach-1", 1)));
  EventEnvelope event = result.events[0];
  const std::string original = ComputeEventHash(event);
  event.set_hash("anything");
  EXPECT_EQ(ComputeEventHash(event), original);
  event.mutable_actor()->set_subject("user:someone-else");
  EXPECT_NE(ComputeEventHash(event), original);
}

TEST_F(AppendTest, ExpectedVersionIsChecked) {
  EXPECT_THAT(store().Append(MakeAppend("breach-1", 1, /*expected_version=*/0)), IsOk());
  EXPECT_THAT(store().Append(MakeAppend("breach-1", 1, /*expected_version=*/0)),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("version 1")));
  EXPECT_THAT(store().Append(MakeAppend("breach-1", 1, /*expected_version=*/5)),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(store().Append(MakeAppend("breach-1", 1, /*expected_version=*/1)), IsOk());
  EXPECT_THAT(store().Append(MakeAppend("breach-1", 1)), IsOk());
  EXPECT_EQ(store().StreamVersion("breach-1").value_or(0), 3u);
  EXPECT_EQ(store().LastPosition(), 3u);
}

TEST_F(AppendTest, RejectsBadRequestsNamingTheFieldAndWritesNothing) {
  AppendRequest no_stream = MakeAppend("", 1);
  EXPECT_THAT(store().Append(no_stream),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stream_id")));
  EXPECT_THAT(store().Append(MakeAppend("breach-1", 0)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("events")));

  AppendRequest no_id = MakeAppend("breach-1", 2);
  no_id.events[1].clear_event_id();
  EXPECT_THAT(store().Append(no_id), StatusIs(absl::StatusCode::kInvalidArgument,
                                              HasSubstr("events[1].event_id is required")));
  AppendRequest no_type = MakeAppend("breach-1", 1);
  no_type.events[0].clear_type();
  EXPECT_THAT(store().Append(no_type), StatusIs(absl::StatusCode::kInvalidArgument,
                                                HasSubstr("events[0].type is required")));
  AppendRequest mixed = MakeAppend("breach-1", 1);
  mixed.events.push_back(MakeEvent("", "OTHER00000X"));
  EXPECT_THAT(store().Append(mixed),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("events[1].tenant")));
  AppendRequest repeated = MakeAppend("breach-1", 1);
  repeated.events.push_back(repeated.events[0]);
  EXPECT_THAT(store().Append(repeated),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("events[1].event_id")));
  AppendRequest bad_row = MakeAppend("breach-1", 1);
  bad_row.projection.push_back({.key = "", .value = "x"});
  EXPECT_THAT(store().Append(bad_row), StatusIs(absl::StatusCode::kInvalidArgument,
                                                HasSubstr("projection[0].key is required")));

  EXPECT_EQ(store().LastPosition(), 0u);
  EXPECT_EQ(store().StreamVersion("breach-1").value_or(99), 0u);
}

TEST_F(AppendTest, RetryWithTheSameEventIdsReturnsTheStoredEvents) {
  AppendRequest request = MakeAppend("breach-1", 2, /*expected_version=*/0);
  ASSERT_OK_AND_ASSIGN(AppendResult first, store().Append(request));
  clock_.Advance(absl::Minutes(1));
  // A retry carries the stale expected version; it must not be a conflict.
  ASSERT_OK_AND_ASSIGN(AppendResult retry, store().Append(request));
  EXPECT_TRUE(retry.duplicate);
  ASSERT_THAT(retry.events, SizeIs(2));
  EXPECT_EQ(retry.events[1].SerializeAsString(), first.events[1].SerializeAsString());
  EXPECT_EQ(store().LastPosition(), 2u);
}

TEST_F(AppendTest, PartialRetryAndForeignEventIdsAreRejected) {
  AppendRequest request = MakeAppend("breach-1", 1);
  ASSERT_THAT(store().Append(request), IsOk());
  AppendRequest partial = request;
  partial.events.push_back(MakeEvent());
  EXPECT_THAT(store().Append(partial),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("partial")));
  AppendRequest elsewhere = request;
  elsewhere.stream_id = "breach-2";
  EXPECT_THAT(store().Append(elsewhere),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("another stream")));
  EXPECT_EQ(store().LastPosition(), 1u);
}

TEST_F(AppendTest, ReadsStreamsEventsAndEverything) {
  ASSERT_THAT(store().Append(MakeAppend("breach-1", 2)), IsOk());
  ASSERT_THAT(store().Append(MakeAppend("breach-2", 1)), IsOk());
  ASSERT_OK_AND_ASSIGN(AppendResult third, store().Append(MakeAppend("breach-1", 1)));

  ASSERT_OK_AND_ASSIGN(std::vector<EventEnvelope> stream, store().ReadStream("breach-1"));
  ASSERT_THAT(stream, SizeIs(3));
  EXPECT_EQ(stream[2].position(), 4u);
  ASSERT_OK_AND_ASSIGN(std::vector<EventEnvelope> tail, store().ReadStream("breach-1", 3));
  ASSERT_THAT(tail, SizeIs(1));
  EXPECT_EQ(tail[0].event_id(), third.events[0].event_id());
  EXPECT_THAT(
      store().ReadStream("breach-unknown").value_or(std::vector<EventEnvelope>{MakeEvent()}),
      SizeIs(0));
  // "breach-1" must not pick up a stream whose id merely starts with it.
  ASSERT_THAT(store().Append(MakeAppend("breach-10", 1)), IsOk());
  EXPECT_THAT(store().ReadStream("breach-1").value_or(std::vector<EventEnvelope>{}), SizeIs(3));

  ASSERT_OK_AND_ASSIGN(EventEnvelope got, store().GetEvent(third.events[0].event_id()));
  EXPECT_EQ(got.stream_version(), 3u);
  EXPECT_THAT(store().GetEvent("nope"), StatusIs(absl::StatusCode::kNotFound));

  std::vector<uint64_t> positions;
  ASSERT_THAT(store().ReadAll(2,
                              [&](const EventEnvelope& event) -> absl::StatusOr<bool> {
                                positions.push_back(event.position());
                                return positions.size() < 2;
                              }),
              IsOk());
  EXPECT_EQ(positions, (std::vector<uint64_t>{2, 3}));
  EXPECT_THAT(store().ReadAll(1,
                              [](const EventEnvelope&) -> absl::StatusOr<bool> {
                                return absl::InternalError("visitor failed");
                              }),
              StatusIs(absl::StatusCode::kInternal));
}

TEST_F(AppendTest, ReopenRecoversPositionsAndStreamHeads) {
  ASSERT_THAT(store().Append(MakeAppend("breach-1", 2)), IsOk());
  ASSERT_THAT(store().Append(MakeAppend("breach-2", 1)), IsOk());
  Reopen();
  EXPECT_EQ(store().LastPosition(), 3u);
  EXPECT_THAT(store().Append(MakeAppend("breach-1", 1, /*expected_version=*/1)),
              StatusIs(absl::StatusCode::kAborted));
  ASSERT_OK_AND_ASSIGN(AppendResult next,
                       store().Append(MakeAppend("breach-1", 1, /*expected_version=*/2)));
  EXPECT_EQ(next.events[0].position(), 4u);
  EXPECT_EQ(next.events[0].stream_version(), 3u);
  ASSERT_OK_AND_ASSIGN(VerifyReport report, store().Verify());
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.streams_checked, 2u);
  EXPECT_EQ(report.events_checked, 4u);
}

TEST_F(AppendTest, VerifyingAnUnknownStreamChecksNothing) {
  ASSERT_THAT(store().Append(MakeAppend("breach-1", 1)), IsOk());
  ASSERT_OK_AND_ASSIGN(VerifyReport report, store().Verify("no-such-breach"));
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(report.streams_checked, 0u);
  EXPECT_EQ(report.events_checked, 0u);
}

TEST_F(AppendTest, SecondOpenOfTheSameDirectoryIsUnavailable) {
  Options options;
  EXPECT_THAT(EventStore::Open(dir_.path(), options), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace breachd::eventstore

namespace breachd::eventstore {
namespace {

using testing::MakeAppend;

class UnsyncedAppendTest : public testing::EventStoreTest {};

// An append without its own fsync (a consumer's reaction) chains and reads like any other, and
// survives closing the store; a later WriteProjection({}, true) makes it durable.
TEST_F(UnsyncedAppendTest, ChainsReadsAndSurvivesAReopen) {
  AppendRequest unsynced = MakeAppend("breach-1", 2);
  unsynced.sync = false;
  ASSERT_THAT(store().Append(std::move(unsynced)), ::breachd::testing::IsOk());
  ASSERT_THAT(store().WriteProjection({}, /*sync=*/true), ::breachd::testing::IsOk());
  Reopen();
  auto events = store().ReadStream("breach-1");
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 2u);
  auto report = store().Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
}

}  // namespace
}  // namespace breachd::eventstore
