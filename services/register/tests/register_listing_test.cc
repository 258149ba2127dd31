// The register's listing: every filter's range, what each filter keeps, and the sort orders.
#include "services/register/register_listing.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::register_ {
namespace {

using breach::v1::ListBreachesRequest;
using breach::v1::RegisterEntry;
using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

absl::Status Validate(void (*set)(ListBreachesRequest&)) {
  ListBreachesRequest request;
  set(request);
  return ValidateListRequest(request);
}

TEST(ValidateListRequestTest, EachFieldOutOfRangeIsNamed) {
  EXPECT_THAT(Validate([](auto& r) {}), IsOk());
  EXPECT_THAT(Validate([](auto& r) { r.set_year(1999); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("year must be")));
  EXPECT_THAT(Validate([](auto& r) { r.set_year(10000); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("year")));
  EXPECT_THAT(Validate([](auto& r) { r.set_year(2026); }), IsOk());
  EXPECT_THAT(Validate([](auto& r) { r.set_page_size(-1); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
  EXPECT_THAT(Validate([](auto& r) { r.set_status(static_cast<breach::v1::BreachStatus>(42)); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("status 42")));
  EXPECT_THAT(Validate([](auto& r) { r.set_classification(4); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("classification")));
  EXPECT_THAT(Validate([](auto& r) { r.set_classification(-1); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("classification")));
  EXPECT_THAT(
      Validate([](auto& r) { r.set_notified(static_cast<breach::v1::NotifiedFilter>(7)); }),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("notified 7")));
  EXPECT_THAT(
      Validate([](auto& r) { r.set_order_by(static_cast<breach::v1::RegisterOrder>(9)); }),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("order_by 9")));
}

RegisterEntry Entry(const std::string& id, int classification, bool notified) {
  RegisterEntry entry;
  entry.set_breach_id(id);
  entry.set_status(breach::v1::BREACH_STATUS_DECIDED);
  entry.set_year(2026);
  entry.set_classification(classification);
  entry.mutable_authority()->set_done(notified);
  return entry;
}

// A running authority clock due at `due` (seconds after kNow).
void Running(RegisterEntry& entry, int64_t due) {
  auto& record = *entry.add_notifications();
  record.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  record.set_clock_running(true);
  record.mutable_due_at()->set_seconds(kNow + due);
  *entry.mutable_next_due_at() = record.due_at();
}

TEST(MatchesListingTest, EachFilterKeepsOnlyItsEntries) {
  const absl::Time now = absl::FromUnixSeconds(kNow);
  RegisterEntry notified = Entry("A", 3, true);
  RegisterEntry quiet = Entry("B", 1, false);
  Running(quiet, -60);  // a minute past due
  ListBreachesRequest request;
  EXPECT_TRUE(MatchesListing(notified, request, now));
  EXPECT_TRUE(MatchesListing(quiet, request, now));

  request.set_classification(3);
  EXPECT_TRUE(MatchesListing(notified, request, now));
  EXPECT_FALSE(MatchesListing(quiet, request, now));

  request = {};
  request.set_notified(breach::v1::NOTIFIED_FILTER_NOT_NOTIFIED);
  EXPECT_FALSE(MatchesListing(notified, request, now));
  EXPECT_TRUE(MatchesListing(quiet, request, now));
  request.set_notified(breach::v1::NOTIFIED_FILTER_NOTIFIED);
  EXPECT_TRUE(MatchesListing(notified, request, now));
  EXPECT_FALSE(MatchesListing(quiet, request, now));

  request = {};
  request.set_overdue_only(true);
  EXPECT_FALSE(MatchesListing(notified, request, now));
  EXPECT_TRUE(MatchesListing(quiet, request, now));
  EXPECT_FALSE(MatchesListing(quiet, request, now - absl::Minutes(2)));  // not yet due then

  request = {};
  request.set_year(2025);
  EXPECT_FALSE(MatchesListing(notified, request, now));
  request = {};
  request.set_status(breach::v1::BREACH_STATUS_CLOSED);
  EXPECT_FALSE(MatchesListing(notified, request, now));
}

TEST(OrderKeyTest, DueDateFirstThoseWithoutLast) {
  RegisterEntry soon = Entry("01A", 1, false), later = Entry("01B", 1, false),
                none = Entry("01C", 1, false);
  Running(soon, 3600);
  Running(later, 7200);
  EXPECT_LT(OrderKey(soon, breach::v1::REGISTER_ORDER_DUE),
            OrderKey(later, breach::v1::REGISTER_ORDER_DUE));
  EXPECT_LT(OrderKey(later, breach::v1::REGISTER_ORDER_DUE),
            OrderKey(none, breach::v1::REGISTER_ORDER_DUE));
}

TEST(OrderKeyTest, DiscoveryDateThenBreachId) {
  RegisterEntry early = Entry("01Z", 1, false), late = Entry("01A", 1, false),
                tie = Entry("01B", 1, false);
  early.mutable_discovered_at()->set_seconds(kNow - 86400);
  late.mutable_discovered_at()->set_seconds(kNow);
  tie.mutable_discovered_at()->set_seconds(kNow);
  EXPECT_LT(OrderKey(early, breach::v1::REGISTER_ORDER_DISCOVERED),
            OrderKey(late, breach::v1::REGISTER_ORDER_DISCOVERED));
  EXPECT_LT(OrderKey(late, breach::v1::REGISTER_ORDER_DISCOVERED),
            OrderKey(tie, breach::v1::REGISTER_ORDER_DISCOVERED));
}

}  // namespace
}  // namespace breachd::register_
