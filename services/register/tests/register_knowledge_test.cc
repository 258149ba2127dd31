// Who knew what, and when: authors, acts and reads, each view showing only what it shows.
#include "services/register/register_knowledge.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/register/tests/breach_events.h"

namespace breachd::register_ {
namespace {

using breach::v1::EventEnvelope;
using breach::v1::Knowledge;
using testing::SourceEvents;

constexpr char kBreach[] = "01JQ0000000000000000000000";

// One event by `subject`, recorded `at` seconds after the origin.
EventEnvelope By(SourceEvents& source, const std::string& subject, int64_t at,
                 const google::protobuf::Message& payload) {
  source.Add(at, payload);
  EventEnvelope event = source.events().back();
  event.mutable_actor()->set_subject(subject);
  return event;
}

breach::v1::BreachViewed View(const std::string& view) {
  breach::v1::BreachViewed viewed;
  viewed.set_view(view);
  return viewed;
}

breach::v1::AssessmentSubmitted Version(uint32_t version) {
  breach::v1::AssessmentSubmitted submitted;
  submitted.set_version(version);
  return submitted;
}

// subject -> fact -> "how@seconds"
std::map<std::string, std::map<std::string, std::string>> Seen(const Knowledge& knowledge) {
  std::map<std::string, std::map<std::string, std::string>> seen;
  for (const auto& principal : knowledge.principals()) {
    for (const auto& first : principal.seen()) {
      seen[principal.principal().subject()][first.fact()] =
          absl::StrCat(first.how(), "@", first.at().seconds() - testing::kOrigin);
    }
  }
  return seen;
}

class KnowledgeTest : public ::testing::Test {
 protected:
  // The story: staff files at 0; the DPO reads the entry at 10; the head triages at 20
  // (awareness) and the DPO submits v1 at 30; the head reads the timeline at 40; the DPO submits
  // v2 at 50; the IT manager reads the entry at 60 (only v2 is on it); the DPO drafts the
  // Garante's notification at 70, the head approves it at 80 and the DPO sends it at 90; the
  // IT manager reads the report at 100 (no assessment there); the head reads the knowledge at
  // 110 (shows no fact).
  void SetUp() override {
    SourceEvents intake("intake", kBreach), assessment("assessment", kBreach),
        notification("notification", kBreach), reads("register", kBreach);
    breach::v1::DraftPrepared draft;
    draft.mutable_draft()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
    draft.mutable_draft()->set_draft_version(1);
    breach::v1::DraftApproved approved;
    approved.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
    approved.set_draft_version(1);
    breach::v1::DispatchQueued queued;
    queued.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
    queued.set_draft_version(1);
    breach::v1::BreachTriaged triaged = testing::TriagedBreach();
    triaged.mutable_awareness()->set_evidence("Denuncia alla Polfer");
    events_ = {By(intake, "user:staff", 0, testing::Reported()),
               By(reads, "user:dpo", 10, View("register-entry")),
               By(intake, "user:head", 20, triaged),
               By(assessment, "user:dpo", 30, Version(1)),
               By(reads, "user:head", 40, View("timeline")),
               By(assessment, "user:dpo", 50, Version(2)),
               By(reads, "user:it", 60, View("register-entry")),
               By(notification, "user:dpo", 70, draft),
               By(notification, "user:head", 80, approved),
               By(notification, "user:dpo", 90, queued),
               By(intake, "user:it", 100, View("report")),
               By(reads, "user:head", 110, View("knowledge"))};
  }

  Knowledge Fold(const std::vector<EventEnvelope>& events) {
    breach::v1::KnowledgeSources sources;
    for (const auto& event : events) AddToKnowledge(event, sources);
    return FoldKnowledge(kBreach, sources);
  }

  std::vector<EventEnvelope> events_;
};

TEST_F(KnowledgeTest, EachPrincipalAndTheFirstTimeTheySawEachFact) {
  const Knowledge knowledge = Fold(events_);
  std::vector<std::string> facts;
  for (const auto& fact : knowledge.facts()) facts.push_back(fact.fact());
  EXPECT_THAT(facts, ::testing::ElementsAre("report", "assessment v1", "assessment v2",
                                            "draft authority_notification v1",
                                            "sent authority_notification v1"));
  using Facts = std::map<std::string, std::string>;
  const auto seen = Seen(knowledge);
  EXPECT_EQ(seen.at("user:staff"), (Facts{{"report", "author@0"}}));
  EXPECT_EQ(seen.at("user:dpo"), (Facts{{"report", "register-entry@10"},
                                        {"assessment v1", "author@30"},
                                        {"assessment v2", "author@50"},
                                        {"draft authority_notification v1", "author@70"},
                                        {"sent authority_notification v1", "author@90"}}));
  // The head triaged (the report), read the timeline (v1, not yet v2), approved the draft.
  EXPECT_EQ(seen.at("user:head"), (Facts{{"report", "author@20"},
                                         {"assessment v1", "timeline@40"},
                                         {"draft authority_notification v1", "author@80"}}));
  // The entry at 60 shows v2 only; the report at 100 shows no assessment, nor what was sent.
  EXPECT_EQ(seen.at("user:it"), (Facts{{"report", "register-entry@60"},
                                       {"assessment v2", "register-entry@60"}}));
  EXPECT_EQ(knowledge.reads(), 5u);  // entry, timeline, entry, report, knowledge (shows nothing)
  ASSERT_EQ(knowledge.awareness_size(), 1);
  EXPECT_EQ(knowledge.awareness(0).awareness().evidence(), "Denuncia alla Polfer");
  EXPECT_TRUE(knowledge.awareness(0).in_force());
}

TEST_F(KnowledgeTest, AListingShowsTheEntryAndACorrectionKeepsBothAwarenessMoments) {
  SourceEvents audit("register", "audit-MIIS01200V"), intake("intake", kBreach);
  // Past the fixture's intake events, so that the correction has an id of its own.
  intake.Add(0, testing::Reported()).Add(0, testing::Reported()).Add(0, testing::Reported());
  breach::v1::BreachesListed listed;
  listed.add_breach_ids(kBreach);
  const EventEnvelope page = By(audit, "user:it", 5, listed);
  EXPECT_THAT(ListedBreaches(page), ::testing::ElementsAre(kBreach));
  breach::v1::KnowledgeSources sources;
  AddToKnowledge(events_[0], sources);
  *sources.add_reads() = ListingRead(page);
  breach::v1::BreachTriaged corrected = testing::TriagedBreach();
  corrected.mutable_awareness()->mutable_aware_at()->set_seconds(testing::kOrigin + 1);
  AddToKnowledge(events_[2], sources);
  AddToKnowledge(By(intake, "user:head", 30, corrected), sources);
  const Knowledge knowledge = FoldKnowledge(kBreach, sources);
  EXPECT_EQ(Seen(knowledge).at("user:it").at("report"), "list@5");
  ASSERT_EQ(knowledge.awareness_size(), 2);
  EXPECT_FALSE(knowledge.awareness(0).in_force());
  EXPECT_TRUE(knowledge.awareness(1).in_force());
}

// notification's GetDraft records a read of the draft version it showed: the reader first saw
// that version then, and no other draft (nor anything else) by that read.
TEST_F(KnowledgeTest, ADraftReadShowsThatDraftVersionToTheReader) {
  SourceEvents notification("notification", kBreach);
  notification.Add(0, testing::Reported());  // past the fixture's notification events
  notification.Add(0, testing::Reported());
  notification.Add(0, testing::Reported());
  breach::v1::DraftPrepared second;
  second.mutable_draft()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  second.mutable_draft()->set_draft_version(2);
  breach::v1::BreachViewed read_v1 = View(kDraftView);
  read_v1.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  read_v1.set_draft_version(1);
  std::vector<EventEnvelope> events = events_;
  events.push_back(By(notification, "user:it", 75, read_v1));
  events.push_back(By(notification, "user:dpo", 120, second));
  const Knowledge knowledge = Fold(events);
  using Facts = std::map<std::string, std::string>;
  EXPECT_EQ(Seen(knowledge).at("user:it"), (Facts{{"report", "register-entry@60"},
                                                  {"assessment v2", "register-entry@60"},
                                                  {"draft authority_notification v1", "draft@75"}}));
  EXPECT_EQ(knowledge.reads(), 6u);  // the fixture's five and the draft read
  for (const auto& principal : knowledge.principals()) {
    if (principal.principal().subject() != "user:it") continue;
    for (const auto& seen : principal.seen()) {
      if (seen.how() == "draft") {
        EXPECT_EQ(seen.event_id(), events[12].event_id());
      }
    }
  }
}

TEST_F(KnowledgeTest, TheAnswerDoesNotDependOnArrivalOrderNorRedelivery) {
  const Knowledge in_order = Fold(events_);
  std::vector<EventEnvelope> reversed(events_.rbegin(), events_.rend());
  reversed.push_back(events_[3]);  // redelivered
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(Fold(reversed), in_order));
}

}  // namespace
}  // namespace breachd::register_
