// The notification service's clocks over a whole 72-hour window on a simulated clock, with the
// service stopped in the middle while warnings fall due: every warning and miss is emitted once,
// none early, and a restart emits what fell due while it was down. Real RocksDB; no sleeps.
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "breach/v1/notification.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/auth/identity_store.h"
#include "libs/common/clock.h"
#include "libs/common/proto_time.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/event_factory.h"
#include "services/notification/notification_module.h"
#include "services/notification/tests/notification_test_events.h"

namespace breachd::notification {
namespace {

using testing::Decided;
using testing::Reported;
using testing::Submitted;
using testing::Triaged;

const absl::Time kAware = absl::FromUnixSeconds(1774602000);  // 2026-03-27T09:00:00Z
constexpr char kBreach[] = "01JQ0000000000000000000001";

class DeadlineClockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto identities = auth::IdentityStore::Parse(
        R"({"tenants":[{"code":"MIIS01200V"}],"tokens":[]})");
    ASSERT_TRUE(identities.ok()) << identities.status();
    identities_ = std::make_unique<auth::IdentityStore>(*std::move(identities));
    Start();
  }
  void TearDown() override { Stop(); }

  void Start() {
    eventstore::Options options;
    options.clock = &clock_;
    auto store = eventstore::EventStore::Open(dir_.path() + "/notification", options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto hosted = NotificationModule().create(
        {*store_, *identities_, clock_, [] {}, {{"regimes_dir", ""}, {"templates_dir", ""}}});
    ASSERT_TRUE(hosted.ok()) << hosted.status();
    hosted_ = *std::move(hosted);
  }
  void Stop() {
    hosted_.reset();
    store_.reset();
  }
  void Consume(const breach::v1::EventEnvelope& event) {
    auto applied = hosted_->Consumer()->apply(event);
    ASSERT_TRUE(applied.ok()) << applied.status();
  }
  // How many events of each type the breach's stream holds.
  std::map<std::string, int> Counts() {
    std::map<std::string, int> counts;
    auto events = store_->ReadStream(kBreach);
    EXPECT_TRUE(events.ok());
    if (!events.ok()) return counts;
    for (const auto& event : *events) ++counts[service::ShortType(event.type())];
    return counts;
  }
  // Warnings emitted so far, as "<duty>@<fraction>".
  std::multiset<std::string> Warnings() {
    std::multiset<std::string> told;
    auto events = store_->ReadStream(kBreach);
    EXPECT_TRUE(events.ok());
    if (!events.ok()) return told;
    for (const auto& event : *events) {
      breach::v1::DeadlineWarning warning;
      if (event.payload().UnpackTo(&warning) && event.payload().Is<breach::v1::DeadlineWarning>()) {
        told.insert(absl::StrCat(warning.duty(), "@", warning.fraction()));
        // Never early: the event is emitted at or after the moment it names.
        EXPECT_GE(TimeFromProto(event.occurred_at()), TimeFromProto(warning.warned_at()));
      }
    }
    return told;
  }

  ::breachd::testing::ScratchDir dir_;
  SimulatedClock clock_{kAware - absl::Hours(1)};
  std::unique_ptr<auth::IdentityStore> identities_;
  std::unique_ptr<eventstore::EventStore> store_;
  std::unique_ptr<service::HostedService> hosted_;
};

TEST_F(DeadlineClockTest, WarningsAndMissesOnceAcrossA72HourWindowWithARestart) {
  clock_.AdvanceTo(kAware);
  Consume(Reported(kBreach, kAware - absl::Hours(1)));
  Consume(Triaged(kBreach, kAware));
  Consume(Submitted(kBreach, 1, kAware, kAware + absl::Hours(2)));
  Consume(Decided(kBreach, 1, /*authority=*/true, /*subjects=*/true, kAware + absl::Hours(3)));
  // Redelivery (bus replay, catch-up) arms nothing twice.
  Consume(Decided(kBreach, 1, true, true, kAware + absl::Hours(3)));
  EXPECT_EQ(Counts()["ClockArmed"], 2);  // authority (at triage), subjects (at decision)

  clock_.AdvanceTo(kAware + absl::Hours(35));
  EXPECT_TRUE(Warnings().empty());
  clock_.AdvanceTo(kAware + absl::Hours(40));  // both clocks' 50 % (36 h)
  EXPECT_EQ(Warnings().size(), 2u);

  // Down from 40 h to 70 h: 75 % (54 h) of both and 90 % (64.8 h) of the authority fall due.
  Stop();
  clock_.AdvanceTo(kAware + absl::Hours(70));
  Start();
  EXPECT_EQ(Warnings().size(), 5u);
  EXPECT_EQ(Counts()["DeadlineMissed"], 0);

  clock_.AdvanceTo(kAware + absl::Hours(80));
  EXPECT_EQ(Counts()["DeadlineMissed"], 2);
  clock_.AdvanceTo(kAware + absl::Hours(200));
  Stop();
  Start();
  clock_.AdvanceTo(kAware + absl::Hours(300));

  const std::multiset<std::string> told = Warnings();
  EXPECT_EQ(told.size(), 5u);
  for (const std::string& warning : told) EXPECT_EQ(told.count(warning), 1u) << warning;
  EXPECT_EQ(Counts()["DeadlineMissed"], 2);
  auto verified = store_->Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok) << verified->problem;
}

TEST_F(DeadlineClockTest, AClockDecidedNotRequiredTellsNothing) {
  clock_.AdvanceTo(kAware);
  Consume(Reported(kBreach, kAware));
  Consume(Triaged(kBreach, kAware));
  Consume(Submitted(kBreach, 1, kAware, kAware + absl::Hours(1)));
  Consume(Decided(kBreach, 1, /*authority=*/false, /*subjects=*/false, kAware + absl::Hours(1)));
  clock_.AdvanceTo(kAware + absl::Hours(100));
  EXPECT_EQ(Counts()["ClockDisarmed"], 1);
  EXPECT_TRUE(Warnings().empty());
  EXPECT_EQ(Counts()["DeadlineMissed"], 0);
}

}  // namespace
}  // namespace breachd::notification
