// A rebuild in one pass writes the rows the consumer writes event by event.
#include "services/register/register_rebuild.h"
#include "services/register/register_schema.h"

#include <algorithm>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "libs/bus/partition_ownership.h"
#include "services/register/register_projection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "services/register/register_consumer.h"
#include "services/register/tests/breach_events.h"
#include "services/register/tests/mixed_history.h"

namespace breachd::register_ {
namespace {

using breach::v1::EventEnvelope;
using testing::Rome;
using testing::MixedHistory;
using testing::SourceEvents;

// The register's rows of a store (not its markers, checkpoints or the knowledge sources, whose
// order of reads follows arrival), and any "knowledge/" row: a folded answer earlier versions
// stored, which neither the consumer nor a rebuild writes now (the counts below say so).
std::map<std::string, std::string> Rows(eventstore::EventStore& store) {
  std::map<std::string, std::string> rows;
  EXPECT_THAT(store.ScanProjection("", "",
                                   [&](const std::string& key, const std::string& value) {
                                     for (const char* prefix : {"entry/", "breach/", "history/",
                                                                "timeline/", "knowledge/"}) {
                                       if (absl::StartsWith(key, prefix)) rows[key] = value;
                                     }
                                     return true;
                                   }),
              ::breachd::testing::IsOk());
  return rows;
}

TEST(RegisterRebuildTest, OnePassWritesWhatTheConsumerWrites) {
  std::vector<EventEnvelope> intake_first, arrival;
  for (int i = 0; i < 3; ++i) {
    const std::string id = "01JQ000000000000000000000" + std::to_string(i);
    SourceEvents intake("intake", id), assessment("assessment", id), reads("register", id);
    testing::AddReportToDecision(intake, assessment);
    breach::v1::BreachViewed viewed;
    viewed.set_view("register-entry");
    reads.Add(10, viewed);
    for (const auto* source : {&intake.events(), &assessment.events(), &reads.events()}) {
      intake_first.insert(intake_first.end(), source->begin(), source->end());
    }
    // The consumer gets assessment's events first (as after a long gap), then the rest.
    arrival.insert(arrival.end(), assessment.events().begin(), assessment.events().end());
    arrival.insert(arrival.end(), reads.events().begin(), reads.events().end());
    arrival.insert(arrival.end(), intake.events().begin(), intake.events().end());
  }
  SourceEvents audit("register", "audit-MIIS01200V");
  breach::v1::BreachesListed listed;
  listed.add_breach_ids("01JQ0000000000000000000001");
  audit.Add(20, listed);
  arrival.insert(arrival.begin(), audit.events().front());  // a listing before its breach
  intake_first.push_back(audit.events().front());

  ::breachd::testing::ScratchDir scratch("register-rebuild");
  ASSERT_OK_AND_ASSIGN(auto consumed, eventstore::EventStore::Open(scratch.path() + "/consumed"));
  RegisterConsumer consumer(*consumed, Rome());
  for (const EventEnvelope& event : arrival) {
    ASSERT_THAT(consumer.ApplyConsumed(event).status(), ::breachd::testing::IsOk());
  }
  ASSERT_OK_AND_ASSIGN(auto rebuilt, eventstore::EventStore::Open(scratch.path() + "/rebuilt"));
  ASSERT_OK_AND_ASSIGN(auto rows, RebuildRows(intake_first, Rome()));
  ASSERT_THAT(rebuilt->WriteProjection(rows, /*sync=*/false), ::breachd::testing::IsOk());

  const auto expected = Rows(*consumed);
  EXPECT_EQ(expected.size(), 3u * (1 + 1 + 10 + 11));  // entry, index, history, lines
  EXPECT_TRUE(Rows(*rebuilt) == expected);
}

// Every row of a store under the register's prefixes, byte for byte; the knowledge sources
// as the set of what they hold (their reads are in arrival order, which a rebuild does not know).
struct StoredRows {
  std::map<std::string, std::string> rows;
  std::map<std::string, std::set<std::string>> sources;
};
StoredRows AllRows(eventstore::EventStore& store) {
  StoredRows stored;
  RebuildFold fold(Rome());
  EXPECT_THAT(store.ScanProjection("", "",
                                   [&](const std::string& key, const std::string& value) {
                                     if (absl::StartsWith(key, KnowledgeSourcesKey(""))) {
                                       breach::v1::KnowledgeSources sources;
                                       EXPECT_TRUE(sources.ParseFromString(value));
                                       for (const auto& read : sources.reads()) {
                                         stored.sources[key].insert(read.SerializeAsString());
                                       }
                                       for (const auto& fact : sources.facts()) {
                                         stored.sources[key].insert(fact.SerializeAsString());
                                       }
                                       for (const auto& record : sources.awareness()) {
                                         stored.sources[key].insert(record.SerializeAsString());
                                       }
                                       return true;
                                     }
                                     for (const std::string& prefix : fold.FoldedPrefixes()) {
                                       if (absl::StartsWith(key, prefix)) stored.rows[key] = value;
                                     }
                                     return true;
                                   }),
              ::breachd::testing::IsOk());
  return stored;
}

TEST(RegisterRebuildTest, ARebuildWritesTheLiveRowsByteForByteOnAMixedHistory) {
  const std::vector<EventEnvelope> arrival = MixedHistory();
  ::breachd::testing::ScratchDir scratch("register-rebuild-mixed");
  ASSERT_OK_AND_ASSIGN(auto live, eventstore::EventStore::Open(scratch.path() + "/live"));
  RegisterConsumer consumer(*live, Rome());
  for (const EventEnvelope& event : arrival) {
    ASSERT_THAT(consumer.ApplyConsumed(event).status(), ::breachd::testing::IsOk());
  }
  // Rebuilt on two threads from the events in store order (each source's in turn), in two
  // passes as a rebuild that catches up: the second folds again only the breaches it touches.
  std::vector<EventEnvelope> by_source = arrival;
  std::stable_sort(by_source.begin(), by_source.end(),
                   [](const EventEnvelope& a, const EventEnvelope& b) { return a.source() < b.source(); });
  ASSERT_OK_AND_ASSIGN(auto rebuilt, eventstore::EventStore::Open(scratch.path() + "/rebuilt"));
  ASSERT_OK_AND_ASSIGN(uint64_t generation, rebuilt->StageProjection());
  RebuildFold fold(Rome(), /*threads=*/2, /*chunk_rows=*/50);
  auto sink = [&](std::vector<eventstore::ProjectionWrite> rows) {
    return rebuilt->WriteStagedProjection(generation, rows, {});
  };
  const size_t half = by_source.size() * 2 / 3;
  for (size_t i = 0; i < half; ++i) ASSERT_THAT(fold.Add(by_source[i]), ::breachd::testing::IsOk());
  ASSERT_THAT(fold.TakeRows(sink), ::breachd::testing::IsOk());
  for (size_t i = half; i < by_source.size(); ++i) {
    ASSERT_THAT(fold.Add(by_source[i]), ::breachd::testing::IsOk());
  }
  ASSERT_THAT(fold.TakeRows(sink), ::breachd::testing::IsOk());
  ASSERT_THAT(rebuilt->SwapProjection(generation), ::breachd::testing::IsOk());

  const StoredRows expected = AllRows(*live);
  const StoredRows actual = AllRows(*rebuilt);
  EXPECT_GT(expected.rows.size(), 300u);
  EXPECT_EQ(expected.sources.size(), 12u);
  EXPECT_EQ(actual.rows.size(), expected.rows.size());
  for (const auto& [key, value] : expected.rows) {
    auto found = actual.rows.find(key);
    ASSERT_NE(found, actual.rows.end()) << key;
    EXPECT_TRUE(found->second == value) << key;
  }
  EXPECT_TRUE(actual.sources == expected.sources);
}

// Every row a fold hands over, by key (the last one written wins, as in a store).
std::map<std::string, std::string> Taken(RebuildFold& fold) {
  std::map<std::string, std::string> rows;
  absl::Mutex mu;
  EXPECT_THAT(fold.TakeRows([&](std::vector<eventstore::ProjectionWrite> chunk) {
                absl::MutexLock lock(&mu);
                for (auto& row : chunk) rows[row.key] = std::move(row.value);
                return absl::OkStatus();
              }),
              ::breachd::testing::IsOk());
  return rows;
}

// Bounded memory: folded in three shares of the breaches (three passes over the events), the
// rows are those of one pass, and each share holds a part of the events only.
TEST(RegisterRebuildTest, InSharesOfTheBreachesTheRowsAreThoseOfOnePass) {
  const std::vector<EventEnvelope> events = MixedHistory();
  size_t of_breaches = 0;  // the rest are listings and audit events, held by no breach
  for (const EventEnvelope& event : events) of_breaches += BreachIdOf(event).empty() ? 0 : 1;
  RebuildFold whole(Rome(), /*threads=*/2, /*chunk_rows=*/50);
  for (const EventEnvelope& event : events) ASSERT_THAT(whole.Add(event).status(), ::breachd::testing::IsOk());
  EXPECT_EQ(whole.events_held(), of_breaches);
  const std::map<std::string, std::string> expected = Taken(whole);

  std::map<std::string, std::string> shared;
  RebuildFold fold(Rome(), /*threads=*/2, /*chunk_rows=*/50);
  size_t held = 0;
  for (size_t share = 0; share < 3; ++share) {
    fold.Restrict(service::FoldShare::OneOf(share, 3));
    for (const EventEnvelope& event : events) {
      ASSERT_THAT(fold.Add(event).status(), ::breachd::testing::IsOk());
    }
    EXPECT_LT(fold.events_held(), of_breaches) << "share " << share;
    held += fold.events_held();
    for (auto& [key, value] : Taken(fold)) {
      EXPECT_TRUE(shared.emplace(key, value).second) << key << " in two shares";
    }
  }
  EXPECT_EQ(held, of_breaches);  // each event held in one share only
  EXPECT_EQ(shared.size(), expected.size());
  EXPECT_TRUE(shared == expected);

  // The breaches some arrivals touched, by name: only theirs are held and folded.
  const std::string touched = BreachIdOf(events.at(events.size() / 2));
  ASSERT_FALSE(touched.empty());
  fold.Restrict(service::FoldShare::Keys({touched}));
  for (const EventEnvelope& event : events) {
    ASSERT_OK_AND_ASSIGN(bool taken, fold.Add(event));
    EXPECT_EQ(taken, BreachIdOf(event) == touched || BreachIdOf(event).empty());
  }
  EXPECT_EQ(fold.breaches(), 1u);
  for (const auto& [key, value] : Taken(fold)) EXPECT_EQ(expected.at(key), value) << key;
}

// A partitioned instance (--partitioned=register) folds the breaches of its partitions only,
// exactly as its live consumer applies them; the others' events and the listings are not its to
// mark consumed, so that they apply in full if a partition moves here.
TEST(RegisterRebuildTest, APartitionedInstanceFoldsOnlyTheBreachesOfItsPartitions) {
  const std::vector<EventEnvelope> arrival = MixedHistory();
  std::set<std::string> breaches;
  for (const EventEnvelope& event : arrival) {
    if (!BreachIdOf(event).empty()) breaches.insert(BreachIdOf(event));
  }
  // The partitions of half the breaches, of 6.
  std::set<int32_t> partitions;
  for (const std::string& id : breaches) {
    if (partitions.size() * 2 < breaches.size() / 2) partitions.insert(bus::PartitionOfKey(id, 6));
  }
  bus::PartitionOwnership ownership;
  ownership.Assign(std::vector<int32_t>(partitions.begin(), partitions.end()), 6);
  size_t mine = 0;
  for (const std::string& id : breaches) mine += ownership.Applies(id) ? 1 : 0;
  ASSERT_GT(mine, 0u);
  ASSERT_LT(mine, breaches.size());

  ::breachd::testing::ScratchDir scratch("register-rebuild-partitioned");
  ASSERT_OK_AND_ASSIGN(auto live, eventstore::EventStore::Open(scratch.path() + "/live"));
  RegisterConsumer consumer(*live, Rome(), &ownership);
  for (const EventEnvelope& event : arrival) {
    ASSERT_THAT(consumer.ApplyConsumed(event).status(), ::breachd::testing::IsOk());
  }
  ASSERT_OK_AND_ASSIGN(auto rebuilt, eventstore::EventStore::Open(scratch.path() + "/rebuilt"));
  RebuildFold fold(Rome(), /*threads=*/2, /*chunk_rows=*/50, &ownership);
  for (const EventEnvelope& event : arrival) {
    ASSERT_OK_AND_ASSIGN(bool taken, fold.Add(event));
    const std::string id = BreachIdOf(event);
    EXPECT_EQ(taken, !id.empty() && ownership.Applies(id)) << event.event_id();
  }
  std::vector<eventstore::ProjectionWrite> rows;
  for (auto& [key, value] : Taken(fold)) rows.push_back({key, value});
  ASSERT_THAT(rebuilt->WriteProjection(rows, /*sync=*/false), ::breachd::testing::IsOk());

  const StoredRows expected = AllRows(*live);
  const StoredRows actual = AllRows(*rebuilt);
  EXPECT_GT(expected.rows.size(), 50u);
  EXPECT_TRUE(actual.rows == expected.rows);
  EXPECT_TRUE(actual.sources == expected.sources);
  for (const auto& [key, value] : actual.rows) {
    if (!absl::StartsWith(key, "history/")) continue;
    const std::string id = key.substr(8, key.find('/', 8) - 8);
    EXPECT_TRUE(ownership.Applies(id)) << key;
  }
}

// Partitions that move during a rebuild would leave the rows without a gained breach (or with
// one this instance no longer holds): the rebuild stops, the old projection serves on.
TEST(RegisterRebuildTest, APartitionedRebuildWhosePartitionsMovedIsAborted) {
  bus::PartitionOwnership ownership;
  ownership.Assign({0, 1, 2}, 6);
  RebuildFold fold(Rome(), /*threads=*/1, /*chunk_rows=*/50, &ownership);
  for (const EventEnvelope& event : MixedHistory()) {
    ASSERT_THAT(fold.Add(event).status(), ::breachd::testing::IsOk());
  }
  ownership.Assign({0, 1, 2, 3}, 6);
  EXPECT_THAT(fold.TakeRows([](std::vector<eventstore::ProjectionWrite>) { return absl::OkStatus(); }),
              ::breachd::testing::StatusIs(absl::StatusCode::kAborted));
}

}  // namespace
}  // namespace breachd::register_
