#include "libs/regulation/deadlines.h"

#include <ostream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/regulation/tests/test_inputs.h"
#include "libs/regulation/time_format.h"

namespace breachd::regulation {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;
using testing::Assessment;
using breach::v1::DutyKind;

// Severity 3.0, processor involved and NIS2 in scope: every clock runs.
constexpr char kEveryClock[] =
    "allegato_b { exposure_types: EXPOSURE_TYPE_DELETION data_nature: DATA_NATURE_FINANCIAL } "
    "facts { backup_available: true processor_involved: true nis2_in_scope: true } ";

absl::Time Rfc(const std::string& text) {
  auto t = ParseRfc3339(text, "test");
  EXPECT_TRUE(t.ok()) << t.status();
  return *t;
}

std::string TimestampText(const std::string& field, const std::string& rfc3339) {
  return absl::StrCat(field, " { seconds: ", absl::ToUnixSeconds(Rfc(rfc3339)), " } ");
}

const breach::v1::Deadline* FindDeadline(const breach::v1::AssessmentResult& r, DutyKind kind) {
  for (const auto& d : r.deadlines()) {
    if (d.duty() == kind) return &d;
  }
  return nullptr;
}

absl::StatusOr<breach::v1::AssessmentResult> Evaluate(const std::string& extra, absl::Time now) {
  static const RegulationEngine* engine = new RegulationEngine(testing::RepoEngine());
  return engine->Evaluate(Assessment(std::string(kEveryClock) + extra), now,
                          EvaluateOptions{.drafts = false});
}

struct DeadlineCase {
  std::string name;
  std::string awareness;            // controller's, Europe/Rome
  std::string processor_awareness;  // processor's own
  DutyKind duty;
  std::string due_local;
};

// Names the case in test listings instead of gtest's raw bytes.
void PrintTo(const DeadlineCase& c, std::ostream* os) { *os << c.name; }

class DeadlineTest : public ::testing::TestWithParam<DeadlineCase> {};

TEST_P(DeadlineTest, DueTimeInAbsoluteTimeShownInRome) {
  const auto& c = GetParam();
  const auto result = Evaluate(TimestampText("awareness_time", c.awareness) +
                                   TimestampText("processor_awareness_time", c.processor_awareness),
                               Rfc(c.awareness));
  ASSERT_TRUE(result.ok()) << result.status();
  const auto* deadline = FindDeadline(*result, c.duty);
  ASSERT_NE(deadline, nullptr);
  EXPECT_EQ(deadline->due_at_local(), c.due_local);
  EXPECT_EQ(FromProto(deadline->due_at()), Rfc(c.due_local));
}

INSTANTIATE_TEST_SUITE_P(
    Clocks, DeadlineTest,
    ::testing::Values(
        // 72 elapsed hours over the spring-forward night of 29 March 2026: 10:00 CET -> 11:00 CEST.
        DeadlineCase{"garante_72h_across_spring_dst", "2026-03-27T10:00:00+01:00",
                     "2026-03-27T08:00:00+01:00", breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION,
                     "2026-03-30T11:00:00+02:00"},
        // ...and over the fall-back night of 25 October 2026: 10:00 CEST -> 09:00 CET.
        DeadlineCase{"garante_72h_across_autumn_dst", "2026-10-23T10:00:00+02:00",
                     "2026-10-23T10:00:00+02:00", breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION,
                     "2026-10-26T09:00:00+01:00"},
        DeadlineCase{"garante_72h_over_leap_day", "2028-02-27T10:00:00+01:00",
                     "2028-02-27T10:00:00+01:00", breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION,
                     "2028-03-01T10:00:00+01:00"},
        DeadlineCase{"garante_72h_no_leap_day", "2027-02-27T10:00:00+01:00",
                     "2027-02-27T10:00:00+01:00", breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION,
                     "2027-03-02T10:00:00+01:00"},
        DeadlineCase{"processor_48h_from_its_own_awareness", "2026-03-28T09:00:00+01:00",
                     "2026-03-27T08:00:00+01:00", breach::v1::DUTY_KIND_CONTROLLER_NOTICE,
                     "2026-03-29T09:00:00+02:00"},
        DeadlineCase{"subjects_internal_target_72h", "2026-03-27T10:00:00+01:00",
                     "2026-03-27T10:00:00+01:00", breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION,
                     "2026-03-30T11:00:00+02:00"},
        DeadlineCase{"csirt_early_warning_24h", "2026-03-28T12:00:00+01:00",
                     "2026-03-28T12:00:00+01:00", breach::v1::DUTY_KIND_CSIRT_EARLY_WARNING,
                     "2026-03-29T13:00:00+02:00"},
        DeadlineCase{"csirt_notification_72h", "2026-03-27T10:00:00+01:00",
                     "2026-03-27T10:00:00+01:00", breach::v1::DUTY_KIND_CSIRT_NOTIFICATION,
                     "2026-03-30T11:00:00+02:00"},
        // A calendar month keeps the wall-clock time across DST...
        DeadlineCase{"csirt_final_report_month_across_dst", "2026-03-20T10:00:00+01:00",
                     "2026-03-20T10:00:00+01:00", breach::v1::DUTY_KIND_CSIRT_FINAL_REPORT,
                     "2026-04-20T10:00:00+02:00"},
        // ...and ends on the last day of a shorter month.
        DeadlineCase{"csirt_final_report_end_of_february", "2026-01-31T10:00:00+01:00",
                     "2026-01-31T10:00:00+01:00", breach::v1::DUTY_KIND_CSIRT_FINAL_REPORT,
                     "2026-02-28T10:00:00+01:00"},
        DeadlineCase{"csirt_final_report_leap_february", "2028-01-31T10:00:00+01:00",
                     "2028-01-31T10:00:00+01:00", breach::v1::DUTY_KIND_CSIRT_FINAL_REPORT,
                     "2028-02-29T10:00:00+01:00"}),
    [](const auto& info) { return info.param.name; });

TEST(DeadlineWarningTest, WarningsAtConfiguredFractionsAndStatusFollowsTheClock) {
  const std::string awareness = "2026-03-27T10:00:00+01:00";
  const std::string input = TimestampText("awareness_time", awareness) +
                            TimestampText("processor_awareness_time", awareness);
  FakeClock clock(Rfc(awareness));

  auto at_start = Evaluate(input, clock.Now());
  ASSERT_THAT(at_start, IsOk());
  const auto* garante = FindDeadline(*at_start, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  ASSERT_NE(garante, nullptr);
  EXPECT_EQ(garante->status(), breach::v1::DEADLINE_STATUS_OPEN);
  ASSERT_EQ(garante->warnings_size(), 3);
  EXPECT_EQ(garante->warnings(0).at_local(), "2026-03-28T22:00:00+01:00");  // 36 h
  EXPECT_EQ(garante->warnings(1).at_local(), "2026-03-29T17:00:00+02:00");  // 54 h
  EXPECT_EQ(garante->warnings(2).at_local(), "2026-03-30T03:48:00+02:00");  // 64.8 h

  clock.Advance(absl::Hours(36));
  auto half = Evaluate(input, clock.Now());
  ASSERT_THAT(half, IsOk());
  EXPECT_EQ(FindDeadline(*half, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION)->status(),
            breach::v1::DEADLINE_STATUS_WARNING);

  clock.Advance(absl::Hours(36));
  auto over = Evaluate(input, clock.Now());
  ASSERT_THAT(over, IsOk());
  EXPECT_EQ(FindDeadline(*over, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION)->status(),
            breach::v1::DEADLINE_STATUS_OVERDUE);
}

struct SubmissionCase {
  std::string name;
  DutyKind duty;
  std::string sent_at;
  std::string delay_reason;
  absl::StatusCode code;
  breach::v1::DeadlineStatus status;
};

// Names the case in test listings instead of gtest's raw bytes.
void PrintTo(const SubmissionCase& c, std::ostream* os) { *os << c.name; }

class SubmissionTest : public ::testing::TestWithParam<SubmissionCase> {};

TEST_P(SubmissionTest, LateNotificationNeedsAReason) {
  const auto& c = GetParam();
  const std::string awareness = "2026-03-27T10:00:00+01:00";
  const auto result = Evaluate(
      TimestampText("awareness_time", awareness) +
          TimestampText("processor_awareness_time", awareness) +
          absl::StrCat("submissions { duty: ", breach::v1::DutyKind_Name(c.duty), " ",
                       TimestampText("sent_at", c.sent_at), " delay_reason: \"", c.delay_reason,
                       "\" }"),
      Rfc("2026-04-02T10:00:00+02:00"));
  if (c.code != absl::StatusCode::kOk) {
    EXPECT_THAT(result, StatusIs(c.code, HasSubstr("art. 33(1)")));
    return;
  }
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(FindDeadline(*result, c.duty)->status(), c.status);
}

INSTANTIATE_TEST_SUITE_P(
    Submissions, SubmissionTest,
    ::testing::Values(
        SubmissionCase{"on_time", breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION,
                       "2026-03-30T10:59:59+02:00", "", absl::StatusCode::kOk,
                       breach::v1::DEADLINE_STATUS_MET},
        SubmissionCase{"exactly_at_deadline", breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION,
                       "2026-03-30T11:00:00+02:00", "", absl::StatusCode::kOk,
                       breach::v1::DEADLINE_STATUS_MET},
        SubmissionCase{"late_without_reason_refused", breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION,
                       "2026-03-30T11:00:01+02:00", "", absl::StatusCode::kFailedPrecondition,
                       breach::v1::DEADLINE_STATUS_UNSPECIFIED},
        SubmissionCase{"late_with_reason", breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION,
                       "2026-03-31T09:00:00+02:00", "Indagine forense in corso",
                       absl::StatusCode::kOk, breach::v1::DEADLINE_STATUS_LATE},
        SubmissionCase{"processor_late_without_reason_refused",
                       breach::v1::DUTY_KIND_CONTROLLER_NOTICE, "2026-03-30T10:00:00+02:00", "",
                       absl::StatusCode::kFailedPrecondition,
                       breach::v1::DEADLINE_STATUS_UNSPECIFIED},
        SubmissionCase{"internal_target_late_is_recorded", breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION,
                       "2026-04-01T10:00:00+02:00", "", absl::StatusCode::kOk,
                       breach::v1::DEADLINE_STATUS_LATE}),
    [](const auto& info) { return info.param.name; });

TEST(DeadlineInputTest, MissingAwarenessIsInvalid) {
  EXPECT_THAT(Evaluate("", absl::UnixEpoch()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("awareness_time")));
}

TEST(DeadlineInputTest, ProcessorClockNeedsTheProcessorsAwareness) {
  EXPECT_THAT(Evaluate(TimestampText("awareness_time", "2026-03-27T10:00:00+01:00"),
                       absl::UnixEpoch()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("processor_awareness_time")));
}

TEST(TimeFormatTest, ParsesRfc3339AndRejectsGarbage) {
  EXPECT_EQ(absl::ToUnixSeconds(Rfc("2026-03-27T10:00:00+01:00")),
            absl::ToUnixSeconds(Rfc("2026-03-27T09:00:00Z")));
  EXPECT_THAT(ParseRfc3339("27/03/2026 10:00", "--awareness"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--awareness")));
}

}  // namespace
}  // namespace breachd::regulation
