// The provider's access to a breach's personal data: break-glass requests checked field by
// field, the access events folded in stream order, and the decision at a simulated time (a
// break-glass access shows the data until it expires, and only to whoever opened it).
#include "libs/service/provider_access.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/common/proto_time.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::service {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;

const auth::Principal kOperator{"user:ops", auth::kProviderTenant, {auth::kRoleProviderOperator}};
const auth::Principal kManager{"user:im", auth::kProviderTenant,
                               {auth::kRoleProviderIncidentManager}};
const auth::Principal kOtherManager{"user:im2", auth::kProviderTenant,
                                    {auth::kRoleProviderIncidentManager}};
const auth::Principal kDpo{"user:dpo", "MIIS01200V", {auth::kRoleSchoolDpo}};

breach::v1::BreakGlassRequest Glass(const std::string& reason, int64_t seconds) {
  breach::v1::BreakGlassRequest request;
  request.set_breach_id("B1");
  request.set_reason(reason);
  request.set_duration_seconds(seconds);
  return request;
}

template <typename Payload>
breach::v1::EventEnvelope Event(uint64_t version, const auth::Principal& by, absl::Time at,
                                const Payload& payload) {
  breach::v1::EventEnvelope event;
  event.set_event_id(absl::StrCat("E", version));
  event.set_stream_id("B1");
  event.set_stream_version(version);
  event.mutable_actor()->set_subject(by.subject);
  *event.mutable_recorded_at() = ProtoFromTime(at);
  event.mutable_payload()->PackFrom(payload);
  return event;
}

breach::v1::BreakGlassOpened Opened(absl::Time expires) {
  breach::v1::BreakGlassOpened opened;
  opened.set_breach_id("B1");
  opened.set_reason("ransomware on the platform");
  *opened.mutable_expires_at() = ProtoFromTime(expires);
  return opened;
}

TEST(BreakGlassRequestTest, AReasonAndABoundedDurationAreRequired) {
  EXPECT_THAT(ValidateBreakGlass(Glass("ransomware: which pupils are affected", 7200)), IsOk());
  EXPECT_THAT(ValidateBreakGlass(Glass("", 7200)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason is required")));
  EXPECT_THAT(ValidateBreakGlass(Glass(std::string(4097, 'x'), 7200)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason is 4097 bytes")));
  EXPECT_THAT(ValidateBreakGlass(Glass("why", 0)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duration_seconds is 0")));
  EXPECT_THAT(ValidateBreakGlass(Glass("why", -5)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duration_seconds is -5")));
  EXPECT_THAT(ValidateBreakGlass(Glass("why", 86401)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("duration_seconds is 86401; it must be 1..86400")));
  EXPECT_THAT(ValidateBreakGlass(Glass("why", 86400)), IsOk());
  breach::v1::BreakGlassRequest no_id = Glass("why", 60);
  no_id.clear_breach_id();
  EXPECT_THAT(ValidateBreakGlass(no_id),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("breach_id")));
}

TEST(ProviderAccessTest, WithoutARowOnlyTheSchoolSeesPersonalData) {
  const absl::Time now = absl::FromUnixSeconds(1767225600);
  EXPECT_TRUE(MaySeePersonalData(kDpo, "MIIS01200V", std::nullopt, now));
  EXPECT_FALSE(MaySeePersonalData(kDpo, "RMIC81500L", std::nullopt, now));
  EXPECT_FALSE(MaySeePersonalData(kOperator, "MIIS01200V", std::nullopt, now));
  EXPECT_FALSE(MaySeePersonalData(kManager, "MIIS01200V", std::nullopt, now));
}

TEST(ProviderAccessTest, TheSchoolsGrantOpensTheBreachToTheProviderUntilRevoked) {
  SimulatedClock clock;
  breach::v1::ProviderAccess access;
  ASSERT_TRUE(FoldAccessEvent(Event(3, kDpo, clock.Now(), breach::v1::ProviderAccessGranted()),
                              access));
  EXPECT_TRUE(MaySeePersonalData(kOperator, "MIIS01200V", access, clock.Now()));
  EXPECT_TRUE(MaySeePersonalData(kManager, "MIIS01200V", access, clock.Now()));
  EXPECT_EQ(access.granted_by(), "user:dpo");
  ASSERT_TRUE(FoldAccessEvent(Event(5, kDpo, clock.Now(), breach::v1::ProviderAccessRevoked()),
                              access));
  EXPECT_FALSE(MaySeePersonalData(kOperator, "MIIS01200V", access, clock.Now()));
  // The grant redelivered after the revocation changes nothing.
  EXPECT_FALSE(FoldAccessEvent(Event(3, kDpo, clock.Now(), breach::v1::ProviderAccessGranted()),
                               access));
  EXPECT_FALSE(access.granted());
}

TEST(ProviderAccessTest, BreakGlassShowsTheDataToItsHolderUntilItExpires) {
  SimulatedClock clock;
  breach::v1::ProviderAccess access;
  ASSERT_TRUE(FoldAccessEvent(Event(4, kManager, clock.Now(), Opened(clock.Now() + absl::Hours(2))),
                              access));
  EXPECT_TRUE(MaySeePersonalData(kManager, "MIIS01200V", access, clock.Now()));
  EXPECT_FALSE(MaySeePersonalData(kOtherManager, "MIIS01200V", access, clock.Now()));
  EXPECT_FALSE(MaySeePersonalData(kOperator, "MIIS01200V", access, clock.Now()));
  clock.Advance(absl::Hours(2) - absl::Seconds(1));
  EXPECT_TRUE(MaySeePersonalData(kManager, "MIIS01200V", access, clock.Now()));
  clock.Advance(absl::Seconds(1));
  EXPECT_FALSE(MaySeePersonalData(kManager, "MIIS01200V", access, clock.Now()));
  // A later access event drops the expired one from the row (the event keeps it).
  ASSERT_TRUE(FoldAccessEvent(Event(6, kDpo, clock.Now(), breach::v1::ProviderAccessRevoked()),
                              access));
  EXPECT_EQ(access.break_glass_size(), 0);
}

TEST(ProviderAccessTest, OtherEventsAreNotAccessEvents) {
  breach::v1::ProviderAccess access;
  EXPECT_FALSE(FoldAccessEvent(Event(1, kDpo, absl::Now(), breach::v1::BreakGlassRequest()),
                               access));
  EXPECT_EQ(access.stream_version(), 0u);
}

}  // namespace
}  // namespace breachd::service
