// The processor's notice to a school, drafted after the case's clock: the reaction to an
// incident's case arms the clock and leaves a row, and the drafter drafts from the row once per
// cause (the opening: version 1; an amendment from the incident: the next version), also after a
// stop. Real RocksDB, the real templates, a simulated clock; the drafter's passes are run by hand
// (no thread, no sleep).
#include <map>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "breach/v1/notification.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/common/proto_time.h"
#include "libs/common/striped_mutex.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/eventstore/event_store.h"
#include "libs/regulation/engine_loader.h"
#include "libs/regulation/template_loader.h"
#include "libs/service/event_factory.h"
#include "services/notification/case_reactor.h"
#include "services/notification/incident_drafter.h"
#include "services/notification/notification_schema.h"
#include "services/notification/tests/notification_test_events.h"

namespace breachd::notification {
namespace {

using testing::BusEvent;
using testing::IncidentCase;
using testing::Reported;

const absl::Time kAware = absl::FromUnixSeconds(1774602000);  // 2026-03-27T09:00:00Z
constexpr char kBreach[] = "01JQ0000000000000000000001";
constexpr char kIncident[] = "01INCIDENT0000000000000000";

// An update of the incident, as the intake carries it to a case.
breach::v1::EventEnvelope AmendedFromIncident(const std::string& breach_id, absl::Time at,
                                              const std::string& description) {
  breach::v1::ReportAmended amended;
  amended.set_breach_id(breach_id);
  breach::v1::FieldChange& change = *amended.mutable_amendment()->add_changes();
  change.set_field("description");
  change.set_new_value(absl::StrCat(R"({"description":")", description, R"("})"));
  amended.mutable_amendment()->set_reason("analisi conclusa");
  amended.mutable_amendment()->set_incident_id(kIncident);
  amended.mutable_amendment()->set_incident_update(1);
  return BusEvent("intake", breach_id, at, amended);
}

class IncidentDrafterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::map<std::string, std::string> settings = {{"regimes_dir", ""},
                                                         {"templates_dir", ""}};
    auto engine = regulation::LoadEngine(settings, kServiceName);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
    auto files = regulation::LoadNotificationTemplateDirectory(
        regulation::EngineDataDir(settings, "templates"));
    ASSERT_TRUE(files.ok()) << files.status();
    auto compiled = regulation::NotificationTemplates::Compile(*files);
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    templates_ = std::make_shared<const regulation::NotificationTemplates>(*std::move(compiled));
    Open();
  }

  // Opens the store and the two halves; again after Close() for a restart.
  void Open() {
    eventstore::Options options;
    options.clock = &clock_;
    auto store = eventstore::EventStore::Open(dir_.path() + "/notification", options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    reactor_ = std::make_unique<CaseReactor>(*store_, locks_, clock_, engine_, nullptr, nullptr,
                                             [this] { ++pokes_; });
    drafter_ = std::make_unique<IncidentDrafter>(*store_, locks_, clock_, engine_, templates_,
                                                 nullptr);
  }
  void Close() {
    drafter_.reset();
    reactor_.reset();
    store_.reset();
  }

  bool Apply(const breach::v1::EventEnvelope& event) {
    absl::StatusOr<bool> applied = reactor_->Apply(event);
    EXPECT_TRUE(applied.ok()) << applied.status();
    return applied.value_or(false);
  }
  size_t RunDue() {
    absl::StatusOr<size_t> drafted = drafter_->RunDue(100);
    EXPECT_TRUE(drafted.ok()) << drafted.status();
    return drafted.value_or(0);
  }
  std::vector<DueDraft> Rows() {
    auto due = DueDrafts(*store_, 100);
    EXPECT_TRUE(due.ok()) << due.status();
    return due.ok() ? *std::move(due) : std::vector<DueDraft>{};
  }
  size_t Due() { return Rows().size(); }
  // The breach stream's events of a type, in order.
  std::vector<breach::v1::EventEnvelope> EventsOf(const std::string& type) {
    std::vector<breach::v1::EventEnvelope> found;
    auto events = store_->ReadStream(kBreach);
    EXPECT_TRUE(events.ok()) << events.status();
    if (!events.ok()) return found;
    for (auto& event : *events) {
      if (service::ShortType(event.type()) == type) found.push_back(std::move(event));
    }
    return found;
  }
  std::optional<breach::v1::Draft> Notice(uint32_t version) {
    auto draft = FindDraft(*store_, kBreach, breach::v1::DUTY_KIND_CONTROLLER_NOTICE, version);
    EXPECT_TRUE(draft.ok()) << draft.status();
    return draft.ok() ? *draft : std::nullopt;
  }

  breachd::testing::ScratchDir dir_;
  SimulatedClock clock_{kAware};
  StripedMutex<> locks_;
  std::shared_ptr<const regulation::RegulationEngine> engine_;
  std::shared_ptr<const regulation::NotificationTemplates> templates_;
  std::unique_ptr<eventstore::EventStore> store_;
  std::unique_ptr<CaseReactor> reactor_;
  std::unique_ptr<IncidentDrafter> drafter_;
  int pokes_ = 0;
};

TEST_F(IncidentDrafterTest, TheCaseArmsItsClockAtOnceAndItsNoticeIsDraftedOnceAfter) {
  const breach::v1::EventEnvelope opening = IncidentCase(kBreach, kAware);
  ASSERT_TRUE(Apply(opening));
  // The reaction: the clock, and the notice left to the drafter (who was woken).
  ASSERT_EQ(EventsOf("ClockArmed").size(), 1u);
  EXPECT_TRUE(EventsOf("DraftPrepared").empty());
  EXPECT_EQ(Due(), 1u);
  EXPECT_EQ(pokes_, 1);
  // The case is not copied into the row while it stays as the opening left it.
  EXPECT_FALSE(Rows().front().notice.has_case_at_cause());

  EXPECT_EQ(RunDue(), 1u);
  const std::vector<breach::v1::EventEnvelope> drafted = EventsOf("DraftPrepared");
  ASSERT_EQ(drafted.size(), 1u);
  breach::v1::DraftPrepared prepared;
  ASSERT_TRUE(drafted[0].payload().UnpackTo(&prepared));
  EXPECT_EQ(prepared.draft().duty(), breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  EXPECT_EQ(prepared.draft().draft_version(), 1u);
  EXPECT_EQ(prepared.draft().prepared_by().subject(), SystemPrincipal().subject);
  EXPECT_EQ(drafted[0].causation_id(), opening.event_id());
  EXPECT_EQ(Due(), 0u);
  ASSERT_TRUE(Notice(1).has_value());

  // Nothing left: a second pass drafts nothing.
  EXPECT_EQ(RunDue(), 0u);
  EXPECT_EQ(EventsOf("DraftPrepared").size(), 1u);
}

TEST_F(IncidentDrafterTest, AnOpeningSeenAgainLeavesNoSecondNotice) {
  const breach::v1::EventEnvelope opening = IncidentCase(kBreach, kAware);
  ASSERT_TRUE(Apply(opening));
  EXPECT_EQ(RunDue(), 1u);
  EXPECT_FALSE(Apply(opening));  // the bus redelivers it, or catch-up reads it again
  EXPECT_EQ(Due(), 0u);
  EXPECT_EQ(RunDue(), 0u);
  EXPECT_EQ(EventsOf("DraftPrepared").size(), 1u);
}

TEST_F(IncidentDrafterTest, AnAmendmentFromTheIncidentDraftsTheNextVersionWithTheNewFacts) {
  ASSERT_TRUE(Apply(IncidentCase(kBreach, kAware)));
  EXPECT_EQ(RunDue(), 1u);
  clock_.AdvanceTo(kAware + absl::Hours(2));
  ASSERT_TRUE(Apply(AmendedFromIncident(kBreach, kAware + absl::Hours(2), "Esposti i recapiti")));
  EXPECT_EQ(Due(), 1u);
  EXPECT_EQ(RunDue(), 1u);
  const std::optional<breach::v1::Draft> first = Notice(1);
  const std::optional<breach::v1::Draft> second = Notice(2);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(first->sha256(), second->sha256());
  EXPECT_EQ(TimeFromProto(second->prepared_at()), kAware + absl::Hours(2));
  bool quoted = false;
  for (const auto& document : second->documents()) {
    quoted |= absl::StrContains(document.document(), "Esposti i recapiti");
  }
  EXPECT_TRUE(quoted);
}

TEST_F(IncidentDrafterTest, AnAmendmentOfACaseWithoutANoticeDraftsNone) {
  // A school's own breach: no notice from the processor, so none to redraft either.
  ASSERT_TRUE(Apply(Reported(kBreach, kAware)));
  EXPECT_EQ(Due(), 0u);
  ASSERT_TRUE(Apply(AmendedFromIncident(kBreach, kAware + absl::Hours(1), "altro")));
  EXPECT_EQ(Due(), 1u);
  EXPECT_EQ(RunDue(), 1u);  // handled: the row is gone, nothing drafted
  EXPECT_EQ(Due(), 0u);
  EXPECT_TRUE(EventsOf("DraftPrepared").empty());
}

// Drafted late (the drafter behind a fan-out), each version still says what was known at its
// cause: the opening's facts in version 1, the amendment's in version 2.
TEST_F(IncidentDrafterTest, AnOpeningAndAnAmendmentBothDueAreDraftedInTheirOrderFromTheirFacts) {
  ASSERT_TRUE(Apply(IncidentCase(kBreach, kAware)));
  ASSERT_TRUE(Apply(AmendedFromIncident(kBreach, kAware + absl::Minutes(5), "Esposti i voti")));
  // The amendment pinned the opening's notice to the case as it opened.
  const std::vector<DueDraft> rows = Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].notice.opening());
  EXPECT_TRUE(rows[0].notice.has_case_at_cause());
  EXPECT_FALSE(rows[1].notice.opening());
  EXPECT_FALSE(rows[1].notice.has_case_at_cause());
  EXPECT_EQ(RunDue(), 2u);
  const std::optional<breach::v1::Draft> first = Notice(1);
  const std::optional<breach::v1::Draft> second = Notice(2);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(Notice(3).has_value());
  EXPECT_NE(first->sha256(), second->sha256());
  for (const auto& document : first->documents()) {
    EXPECT_FALSE(absl::StrContains(document.document(), "Esposti i voti"));
  }
  bool quoted = false;
  for (const auto& document : second->documents()) {
    quoted |= absl::StrContains(document.document(), "Esposti i voti");
  }
  EXPECT_TRUE(quoted);
}

TEST_F(IncidentDrafterTest, ANoticeLeftDueByAStopIsDraftedAfterTheRestart) {
  ASSERT_TRUE(Apply(IncidentCase(kBreach, kAware)));
  Close();  // stopped before the drafter's pass
  Open();
  EXPECT_EQ(Due(), 1u);
  EXPECT_EQ(RunDue(), 1u);
  EXPECT_EQ(EventsOf("DraftPrepared").size(), 1u);
  EXPECT_EQ(EventsOf("ClockArmed").size(), 1u);  // the clock was armed once, before the stop
}

// One row that cannot be drafted (here: unreadable) does not stop the rest: it is set aside
// with its error, and the next row is drafted in the same pass.
TEST_F(IncidentDrafterTest, ARowThatFailsForGoodIsSetAsideAndTheOthersAreDrafted) {
  const std::string bad_key = DraftDueKey("01JQ0000000000000000000000", 0);  // sorts first
  ASSERT_TRUE(store_->WriteProjection({{bad_key, "not a notice"}}, /*sync=*/false).ok());
  ASSERT_TRUE(Apply(IncidentCase(kBreach, kAware)));
  EXPECT_EQ(Due(), 2u);
  EXPECT_EQ(RunDue(), 2u);
  EXPECT_EQ(Due(), 0u);
  EXPECT_EQ(EventsOf("DraftPrepared").size(), 1u);
  auto parked = store_->GetProjection(DraftParkedKey(bad_key));
  ASSERT_TRUE(parked.ok()) << parked.status();
  ASSERT_TRUE(parked->has_value());
  EXPECT_EQ(**parked, "not a notice");  // kept as it was
  EXPECT_EQ(RunDue(), 0u);  // set aside: not tried again by the passes

  // A restart puts it back in line; still unreadable, it is set aside again.
  ASSERT_TRUE(drafter_->RetryParked().ok());
  EXPECT_EQ(Due(), 1u);
  EXPECT_EQ(RunDue(), 1u);
  EXPECT_EQ(Due(), 0u);
  parked = store_->GetProjection(DraftParkedKey(bad_key));
  ASSERT_TRUE(parked.ok() && parked->has_value());
  EXPECT_EQ(EventsOf("DraftPrepared").size(), 1u);
}

}  // namespace
}  // namespace breachd::notification
