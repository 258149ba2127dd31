#include "services/register/register_projection.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "breach/v1/events.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "libs/common/proto_time.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::register_ {
namespace {

using breach::v1::EventEnvelope;
using breach::v1::RegisterEntry;
using google::protobuf::util::TimeUtil;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kBreach[] = "01JQ0000000000000000000000";

EventEnvelope Reported(absl::Time discovered) {
  breach::v1::BreachReported reported;
  reported.set_breach_id(kBreach);
  reported.mutable_report()->set_tenant("MIIS01200V");
  *reported.mutable_report()->mutable_discovered_at() = ProtoFromTime(discovered);
  reported.mutable_report()->set_approx_data_subjects(24);
  reported.mutable_report()->add_databases("Registro elettronico");
  reported.mutable_report()->set_description("Portatile smarrito");
  EventEnvelope event;
  event.set_event_id("01JQ0000000000000000000001");
  event.set_type("breach.v1.BreachReported");
  event.set_source("intake");
  event.set_stream_id(kBreach);
  event.set_stream_version(1);
  event.set_tenant("MIIS01200V");
  *event.mutable_recorded_at() = TimeUtil::SecondsToTimestamp(1767225600);
  event.mutable_actor()->set_subject("user:dpo");
  event.mutable_payload()->PackFrom(reported);
  return event;
}

absl::TimeZone Rome() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Rome", &zone));
  return zone;
}

TEST(RegisterProjectionTest, ReportCreatesEntryTenantIndexAndTimelineLine) {
  ASSERT_OK_AND_ASSIGN(auto writes, Project(Reported(absl::FromUnixSeconds(1767225600)),
                                            {}, Rome()));
  ASSERT_THAT(writes, SizeIs(5));
  EXPECT_THAT(writes[0].key, StartsWith(TimelinePrefix(kBreach)));
  EXPECT_THAT(writes[1].key, StartsWith(HistoryPrefix(kBreach)));
  EXPECT_EQ(writes[2].key, FoldHeadsKey(kBreach));  // how far the entry is folded
  breach::v1::RegisterFoldHeads heads;
  ASSERT_TRUE(heads.ParseFromString(writes[2].value));
  EXPECT_EQ(heads.events(), 1u);
  ASSERT_EQ(heads.heads_size(), 1);
  EXPECT_EQ(heads.heads(0).version(), 1u);
  EXPECT_EQ(writes[3].key, BreachTenantKey(kBreach));
  EXPECT_EQ(writes[3].value, "MIIS01200V");
  EXPECT_EQ(writes[4].key, EntryKey("MIIS01200V", kBreach));
  RegisterEntry entry;
  ASSERT_TRUE(entry.ParseFromString(writes[4].value));
  EXPECT_EQ(entry.status(), breach::v1::BREACH_STATUS_REPORTED);
  EXPECT_EQ(entry.name(), std::string("tenants/MIIS01200V/breaches/") + kBreach);
  EXPECT_EQ(entry.events(), 1u);
}

TEST(RegisterProjectionTest, YearIsCountedInRomeNotUtc) {
  // 31 Dec 2025 23:30 UTC is already 1 Jan 2026 in Rome.
  ASSERT_OK_AND_ASSIGN(auto writes, Project(Reported(absl::FromUnixSeconds(1767223800)),
                                            {}, Rome()));
  RegisterEntry entry;
  ASSERT_TRUE(entry.ParseFromString(writes.back().value));
  EXPECT_EQ(entry.year(), 2026);
}

TEST(RegisterProjectionTest, YearAndTimelineKeyDoNotOverflowBeyond2262) {
  // Stored before intake refused far-future dates: 9999-12-31T12:00:00Z must stay year 9999.
  EventEnvelope event = Reported(absl::FromUnixSeconds(253402257600));
  event.mutable_recorded_at()->set_seconds(253402300799);
  ASSERT_OK_AND_ASSIGN(auto writes, Project(event, {}, Rome()));
  RegisterEntry entry;
  ASSERT_TRUE(entry.ParseFromString(writes.back().value));
  EXPECT_EQ(entry.year(), 9999);
  EXPECT_EQ(writes[0].key,
            absl::StrCat(TimelinePrefix(kBreach), "253402300799000000000/intake/",
                         "00000000000000000001/", event.event_id()));
}

TEST(RegisterProjectionTest, TimelineKeyIsZeroPaddedUnixNanosecondsThenStreamOrder) {
  ASSERT_OK_AND_ASSIGN(auto writes, Project(Reported(absl::FromUnixSeconds(1767225600)),
                                            {}, Rome()));
  EXPECT_EQ(writes[0].key, absl::StrCat(TimelinePrefix(kBreach), "01767225600000000000/intake/",
                                        "00000000000000000001/01JQ0000000000000000000001"));
}

// The keys are formatted by hand (a rebuild makes millions): as printf pads them, whatever the
// time and version.
TEST(RegisterProjectionTest, KeysArePaddedAsPrintfPadsThem) {
  EventEnvelope event = Reported(absl::FromUnixSeconds(1767225600));
  for (int64_t seconds : {int64_t{-5}, int64_t{0}, int64_t{7}, int64_t{1767225600},
                          int64_t{253402300799}, int64_t{99999999999999}}) {
    for (int32_t nanos : {-1, 0, 5, 999'999'999, 2'000'000'000}) {
      google::protobuf::Timestamp ts;
      ts.set_seconds(seconds);
      ts.set_nanos(nanos);
      const std::string expected =
          absl::StrFormat("%011lld%09d", static_cast<long long>(std::max<int64_t>(seconds, 0)),
                          std::clamp(nanos, 0, 999'999'999));
      EXPECT_EQ(PaddedNanos(ts), expected);
      *event.mutable_recorded_at() = ts;
      event.set_stream_version(3);
      EXPECT_EQ(TimelineKey(kBreach, event),
                absl::StrCat(TimelinePrefix(kBreach), expected, "/intake/00000000000000000003/",
                             event.event_id()));
    }
  }
  for (uint64_t version : {uint64_t{0}, uint64_t{1}, uint64_t{12345}, ~uint64_t{0}}) {
    event.set_stream_version(version);
    EXPECT_EQ(HistoryKey(kBreach, event),
              absl::StrCat(HistoryPrefix(kBreach), "intake/", absl::StrFormat("%020d", version),
                           "/", event.event_id()));
  }
}

TEST(RegisterProjectionTest, EventsOfOneAppendSortInStreamOrderNotByEventId) {
  // One append: the same recorded_at; the later event happens to have the smaller id.
  EventEnvelope first = Reported(absl::Now());
  first.set_event_id("01JQ00000000000000000000ZZ");
  EventEnvelope second = first;
  second.set_event_id("01JQ0000000000000000000000");
  second.set_stream_version(2);
  EXPECT_LT(TimelineKey(kBreach, first), TimelineKey(kBreach, second));
}

TEST(RegisterProjectionTest, ViewAddsTimelineLineButLeavesEntryAlone) {
  const std::vector<EventEnvelope> existing = {Reported(absl::Now())};
  breach::v1::BreachViewed viewed;
  viewed.set_breach_id(kBreach);
  viewed.set_view("timeline");
  EventEnvelope event = Reported(absl::Now());
  event.set_event_id("01JQ0000000000000000000002");
  event.set_type("breach.v1.BreachViewed");
  event.mutable_payload()->PackFrom(viewed);
  ASSERT_OK_AND_ASSIGN(auto writes, Project(event, existing, Rome()));
  ASSERT_THAT(writes, SizeIs(1));
  breach::v1::TimelineEntry line;
  ASSERT_TRUE(line.ParseFromString(writes[0].value));
  // The reader is the line's actor (sealed with the month's key, opened in the answer), never
  // in the summary, which is stored as composed.
  EXPECT_EQ(line.summary(), "Read the timeline");
  EXPECT_EQ(line.actor().subject(), event.actor().subject());
}

TEST(RegisterProjectionTest, AuditEventsAreNotAboutABreach) {
  EventEnvelope event = Reported(absl::Now());
  event.set_stream_id("audit-MIIS01200V");
  ASSERT_OK_AND_ASSIGN(auto writes, Project(event, {}, Rome()));
  EXPECT_THAT(writes, SizeIs(0));
}

TEST(RegisterProjectionTest, TimelineKeysSortByRecordedTime) {
  EventEnvelope early = Reported(absl::Now());
  EventEnvelope late = early;
  *late.mutable_recorded_at() = TimeUtil::SecondsToTimestamp(1767225600 + 10);
  ASSERT_OK_AND_ASSIGN(auto a, Project(early, {}, Rome()));
  ASSERT_OK_AND_ASSIGN(auto b, Project(late, {}, Rome()));
  EXPECT_LT(a[0].key, b[0].key);
}

}  // namespace
}  // namespace breachd::register_
