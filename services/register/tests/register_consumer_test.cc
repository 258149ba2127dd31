// The register as its consumer builds it in a real store: the entry of a breach is the same
// whatever order intake's and assessment's events arrive in (each source's own order kept), and
// a store of an earlier schema is emptied for a rebuild.
#include "services/register/register_consumer.h"
#include "services/register/register_knowledge.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "services/register/register_schema.h"
#include "services/register/tests/breach_events.h"

namespace breachd::register_ {
namespace {

using breach::v1::EventEnvelope;
using breach::v1::RegisterEntry;
using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using testing::AddReportToDecision;
using testing::SourceEvents;
using testing::Rome;


class RegisterConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, eventstore::EventStore::Open(scratch_.path()));
    consumer_ = std::make_unique<RegisterConsumer>(*store_, Rome());
  }

  // The entry as stored, without what names the breach (each arrival order is its own breach).
  RegisterEntry StoredEntry(const std::string& breach_id) {
    absl::StatusOr<std::optional<RegisterEntry>> entry =
        FindEntry(*store_, testing::kTenant, breach_id);
    EXPECT_THAT(entry.status(), IsOk());
    if (!entry.ok() || !entry->has_value()) return RegisterEntry();
    RegisterEntry unnamed = **entry;
    unnamed.clear_breach_id();
    unnamed.clear_name();
    return unnamed;
  }

  ::breachd::testing::ScratchDir scratch_{"register-consumer"};
  std::unique_ptr<eventstore::EventStore> store_;
  std::unique_ptr<RegisterConsumer> consumer_;
};

// Every arrival order that keeps each source's own order: all intake first, all assessment
// first (a rebuild's catch-up), and every interleaving between.
TEST_F(RegisterConsumerTest, EntryIsTheSameWhateverOrderTheSourcesArriveIn) {
  // Which source each arriving event comes from; next_permutation visits every interleaving.
  std::vector<int> from = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};  // 4 intake, 7 assessment
  std::optional<RegisterEntry> first;
  int orders = 0;
  do {
    const std::string breach_id = absl::StrFormat("01JQ%022d", orders);
    SourceEvents intake("intake", breach_id), assessment("assessment", breach_id);
    AddReportToDecision(intake, assessment);
    intake.Add(6, breach::v1::BreachClosed());
    const std::vector<EventEnvelope>* sources[] = {&intake.events(), &assessment.events()};
    size_t next[] = {0, 0};
    for (int source : from) {
      const EventEnvelope& event = (*sources[source])[next[source]++];
      ASSERT_OK_AND_ASSIGN(bool applied, consumer_->ApplyConsumed(event));
      ASSERT_TRUE(applied);
    }
    const RegisterEntry entry = StoredEntry(breach_id);
    if (!first.has_value()) {
      first = entry;
      EXPECT_EQ(entry.status(), breach::v1::BREACH_STATUS_CLOSED);
      EXPECT_EQ(entry.classification(), 3);
      EXPECT_EQ(entry.duties_size(), 2);
    }
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(entry, *first))
        << "arrival order " << absl::StrJoin(from, "") << ":\n"
        << entry.DebugString() << "\nexpected:\n" << first->DebugString();
    ++orders;
  } while (std::next_permutation(from.begin(), from.end()));
  EXPECT_EQ(orders, 330);  // 11 choose 4
}

TEST_F(RegisterConsumerTest, RedeliveredEventChangesNothing) {
  SourceEvents intake("intake", "01JQ0000000000000000000000");
  intake.Add(0, testing::Reported());
  ASSERT_OK_AND_ASSIGN(bool applied, consumer_->ApplyConsumed(intake.events().front()));
  EXPECT_TRUE(applied);
  ASSERT_OK_AND_ASSIGN(applied, consumer_->ApplyConsumed(intake.events().front()));
  EXPECT_FALSE(applied);
  EXPECT_EQ(StoredEntry("01JQ0000000000000000000000").events(), 1u);
}

// The knowledge projection is kept as events arrive: a read of the breach and a page of the
// register (an event on an audit stream) each land in the breach's knowledge row.
TEST_F(RegisterConsumerTest, KnowledgeRowFollowsReadsAndListings) {
  const std::string breach_id = "01JQ0000000000000000000000";
  SourceEvents intake("intake", breach_id), reads("register", breach_id),
      audit("register", "audit-MIIS01200V");
  intake.Add(0, testing::Reported());
  breach::v1::BreachViewed viewed;
  viewed.set_view("register-entry");
  reads.Add(5, viewed);
  breach::v1::BreachesListed listed;
  listed.add_breach_ids(breach_id);
  audit.Add(7, listed);
  for (const auto* events : {&intake.events(), &reads.events(), &audit.events()}) {
    ASSERT_OK_AND_ASSIGN(bool applied, consumer_->ApplyConsumed(events->front()));
    ASSERT_TRUE(applied);
  }
  ASSERT_OK_AND_ASSIGN(
      std::optional<breach::v1::KnowledgeSources> sources,
      FindRow<breach::v1::KnowledgeSources>(*store_, KnowledgeSourcesKey(breach_id)));
  ASSERT_TRUE(sources.has_value());
  // What GetKnowledge answers (after opening the readers, none sealed here).
  const std::optional<breach::v1::Knowledge> knowledge = FoldKnowledge(breach_id, *sources);
  EXPECT_EQ(knowledge->reads(), 2u);
  ASSERT_EQ(knowledge->principals_size(), 2);  // user:intake (author), user:register (reader)
  EXPECT_EQ(knowledge->principals(1).principal().subject(), "user:register");
  ASSERT_EQ(knowledge->principals(1).seen_size(), 1);
  EXPECT_EQ(knowledge->principals(1).seen(0).how(), "register-entry");
}

// A clock says nothing of who knew what: it is folded into the entry (onto it, since it comes
// after the report), but the breach's knowledge row stays as the report left it.
TEST_F(RegisterConsumerTest, AClockLeavesTheKnowledgeRowAloneAndFoldsOntoTheEntry) {
  const std::string breach_id = "01JQ0000000000000000000000";
  SourceEvents intake("intake", breach_id), notification("notification", breach_id);
  intake.Add(0, testing::Reported());
  breach::v1::ClockArmed armed;
  armed.set_breach_id(breach_id);
  armed.mutable_deadline()->set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  armed.mutable_deadline()->mutable_due_at()->set_seconds(testing::kOrigin + 48 * 3600);
  notification.Add(60, armed);
  ASSERT_OK_AND_ASSIGN(bool applied, consumer_->ApplyConsumed(intake.events().front()));
  ASSERT_TRUE(applied);
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> before,
                       store_->GetProjection(KnowledgeSourcesKey(breach_id)));
  ASSERT_TRUE(before.has_value());
  ASSERT_OK_AND_ASSIGN(applied, consumer_->ApplyConsumed(notification.events().front()));
  ASSERT_TRUE(applied);
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> after,
                       store_->GetProjection(KnowledgeSourcesKey(breach_id)));
  EXPECT_EQ(after, before);
  // Folded onto the entry the report left: its fold heads moved past the clock.
  ASSERT_OK_AND_ASSIGN(std::optional<breach::v1::RegisterFoldHeads> heads,
                       FindRow<breach::v1::RegisterFoldHeads>(*store_, FoldHeadsKey(breach_id)));
  ASSERT_TRUE(heads.has_value());
  EXPECT_EQ(heads->events(), 2u);
  EXPECT_EQ(heads->heads_size(), 2);
  const RegisterEntry entry = StoredEntry(breach_id);
  EXPECT_EQ(entry.events(), 2u);
  ASSERT_EQ(entry.notifications_size(), 1);
  EXPECT_TRUE(entry.notifications(0).clock_running());
}

TEST_F(RegisterConsumerTest, StoreOfAnEarlierSchemaIsEmptiedForARebuild) {
  // Schema 1 had no register-schema row.
  ASSERT_THAT(store_->WriteProjection({{"entry/MIIS01200V/01JQ0000000000000000000000", "x"},
                                       {"checkpoint/intake", "12"}},
                                      /*sync=*/false),
              IsOk());
  ASSERT_OK_AND_ASSIGN(bool rebuilding, PrepareStore(*store_));
  EXPECT_TRUE(rebuilding);
  ASSERT_OK_AND_ASSIGN(auto checkpoint, store_->GetProjection("checkpoint/intake"));
  EXPECT_EQ(checkpoint, std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto version, store_->GetProjection(kSchemaKey));
  EXPECT_EQ(version, "4");
  // Once is enough: the next start keeps what the rebuild wrote.
  ASSERT_THAT(store_->WriteProjection({{"checkpoint/intake", "3"}}, /*sync=*/false), IsOk());
  ASSERT_OK_AND_ASSIGN(rebuilding, PrepareStore(*store_));
  EXPECT_FALSE(rebuilding);
  ASSERT_OK_AND_ASSIGN(checkpoint, store_->GetProjection("checkpoint/intake"));
  EXPECT_EQ(checkpoint, "3");
}

TEST_F(RegisterConsumerTest, FreshStoreIsNotRebuilt) {
  ASSERT_OK_AND_ASSIGN(bool rebuilding, PrepareStore(*store_));
  EXPECT_FALSE(rebuilding);
  ASSERT_OK_AND_ASSIGN(auto version, store_->GetProjection(kSchemaKey));
  EXPECT_EQ(version, "4");
}

TEST_F(RegisterConsumerTest, StoreOfALaterSchemaIsRefused) {
  ASSERT_THAT(store_->WriteProjection({{kSchemaKey, "5"}}, /*sync=*/false), IsOk());
  EXPECT_THAT(PrepareStore(*store_), StatusIs(absl::StatusCode::kFailedPrecondition));
}

// Whether the consumer applied `event` as new (nullopt: it failed).
std::optional<bool> Applied(RegisterConsumer& consumer, const EventEnvelope& event) {
  absl::StatusOr<bool> applied = consumer.ApplyConsumed(event);
  EXPECT_THAT(applied.status(), IsOk());
  return applied.ok() ? std::optional<bool>(*applied) : std::nullopt;
}

// One of several partitioned instances applies only the breaches of its partitions, and leaves
// the others unmarked, so that they apply in full if their partition moves here later.
TEST(PartitionedRegisterConsumerTest, AppliesOnlyItsPartitionsAndTakesAMovedOneInFull) {
  ::breachd::testing::ScratchDir scratch{"register-partitioned"};
  ASSERT_OK_AND_ASSIGN(auto store, eventstore::EventStore::Open(scratch.path()));
  bus::PartitionOwnership ownership;
  RegisterConsumer consumer(*store, Rome(), &ownership);
  // Two breaches in different partitions of 6.
  std::string mine = "01JZMINE0000000000000000000";
  std::string moved;
  for (int i = 0; moved.empty(); ++i) {
    const std::string id = absl::StrFormat("01JZMOVED%018d", i);
    if (bus::PartitionOfKey(id, 6) != bus::PartitionOfKey(mine, 6)) moved = id;
  }
  SourceEvents mine_intake("intake", mine);
  mine_intake.Add(0, testing::Reported());
  SourceEvents moved_intake("intake", moved);
  moved_intake.Add(0, testing::Reported()).Add(1, testing::TriagedBreach());

  ownership.Assign({bus::PartitionOfKey(mine, 6)}, 6);
  EXPECT_EQ(Applied(consumer, mine_intake.events()[0]), true);
  for (const auto& event : moved_intake.events()) {
    EXPECT_EQ(Applied(consumer, event), false);
    EXPECT_EQ(store->WasConsumed(event.event_id()).value_or(true), false);
  }
  ASSERT_OK_AND_ASSIGN(std::optional<RegisterEntry> absent, FindEntryById(*store, moved));
  EXPECT_FALSE(absent.has_value());

  // The partition moves here; the re-read brings every event again.
  ownership.Assign({bus::PartitionOfKey(mine, 6), bus::PartitionOfKey(moved, 6)}, 6);
  EXPECT_EQ(Applied(consumer, mine_intake.events()[0]), false);
  for (const auto& event : moved_intake.events()) {
    EXPECT_EQ(Applied(consumer, event), true);
  }
  ASSERT_OK_AND_ASSIGN(std::optional<RegisterEntry> entry, FindEntryById(*store, moved));
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->events(), 2u);
}

}  // namespace
}  // namespace breachd::register_
