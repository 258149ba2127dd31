#include "services/register/register_entry.h"

#include <string>
#include <vector>

#include "breach/v1/notification.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/register/tests/breach_events.h"

namespace breachd::register_ {
namespace {

using breach::v1::EventEnvelope;
using breach::v1::RegisterEntry;
using testing::AddReportToDecision;
using testing::SourceEvents;
using ::testing::ElementsAre;

constexpr char kBreach[] = "01JQ0000000000000000000000";

absl::TimeZone Rome() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Rome", &zone));
  return zone;
}

std::vector<EventEnvelope> Both(const SourceEvents& a, const SourceEvents& b) {
  std::vector<EventEnvelope> events = a.events();
  events.insert(events.end(), b.events().begin(), b.events().end());
  return events;
}

// The id SourceEvents gives the `n`th event of a source, "<source>-<n>".
std::string Id(const std::string& source_and_version) {
  return std::string(kBreach) + "-" + source_and_version;
}

std::vector<std::string> Ids(const std::vector<const EventEnvelope*>& order) {
  std::vector<std::string> ids;
  for (const EventEnvelope* event : order) ids.push_back(event->event_id());
  return ids;
}

TEST(FoldEntryTest, NoEntryBeforeTheReport) {
  SourceEvents intake("intake", kBreach), assessment("assessment", kBreach);
  AddReportToDecision(intake, assessment);
  EXPECT_EQ(FoldEntry(assessment.events(), Rome()), std::nullopt);
}

TEST(FoldEntryTest, ClosedAssessedBreachHasItsStatusClassificationAndDuties) {
  SourceEvents intake("intake", kBreach), assessment("assessment", kBreach);
  AddReportToDecision(intake, assessment);
  intake.Add(6, breach::v1::BreachClosed());
  // Assessment's events first, as a rebuild catches up (its store before intake's).
  const std::optional<RegisterEntry> entry = FoldEntry(Both(assessment, intake), Rome());
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->status(), breach::v1::BREACH_STATUS_CLOSED);
  EXPECT_EQ(entry->tenant(), testing::kTenant);
  EXPECT_EQ(entry->name(), std::string("tenants/MIIS01200V/breaches/") + kBreach);
  EXPECT_EQ(entry->verdict(), breach::v1::TRIAGE_VERDICT_BREACH);
  EXPECT_EQ(entry->containment_actions(), 1u);
  EXPECT_EQ(entry->assessment_version(), 1u);
  EXPECT_EQ(entry->classification(), 3);
  EXPECT_EQ(entry->severity_band(), breach::v1::SEVERITY_BAND_HIGH);
  ASSERT_EQ(entry->duties_size(), 2);
  EXPECT_TRUE(entry->duties(0).required());
  EXPECT_FALSE(entry->duties(1).required());
  EXPECT_EQ(entry->duties(1).human_override().reason(), "Portatile ritrovato");
  EXPECT_EQ(entry->events(), 11u);
  EXPECT_EQ(entry->reported_at().seconds(), testing::kOrigin);
  EXPECT_EQ(entry->updated_at().seconds(), testing::kOrigin + 6);
}

TEST(FoldEntryTest, WhatWasSentReceivedAndMissedPerDuty) {
  SourceEvents intake("intake", kBreach), assessment("assessment", kBreach),
      notification("notification", kBreach);
  AddReportToDecision(intake, assessment);
  breach::v1::DeadlineWarning warning;
  warning.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  notification.Add(7, warning);
  breach::v1::DeliverySent sent;
  sent.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  notification.Add(8, sent);
  breach::v1::DutySubmitted submitted;
  submitted.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  submitted.mutable_submitted_at()->set_seconds(testing::kOrigin + 8);
  notification.Add(8, submitted);
  breach::v1::ReceiptRecorded receipt;
  receipt.mutable_receipt()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  receipt.mutable_receipt()->set_protocol_number("0012345/2026");
  notification.Add(9, receipt);
  breach::v1::DeadlineMissed missed;
  missed.set_duty(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  notification.Add(10, missed);
  std::vector<EventEnvelope> events = Both(notification, intake);
  events.insert(events.end(), assessment.events().begin(), assessment.events().end());
  const std::optional<RegisterEntry> entry = FoldEntry(events, Rome());
  ASSERT_TRUE(entry.has_value());
  ASSERT_EQ(entry->notifications_size(), 2);
  const breach::v1::NotificationRecord& garante = entry->notifications(0);
  EXPECT_EQ(garante.duty(), breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  EXPECT_TRUE(garante.sent());
  EXPECT_EQ(garante.sent_at().seconds(), testing::kOrigin + 8);
  EXPECT_EQ(garante.delivered(), 1u);
  EXPECT_EQ(garante.protocol_number(), "0012345/2026");
  EXPECT_EQ(garante.deadline_warnings(), 1u);
  EXPECT_FALSE(garante.deadline_missed());
  EXPECT_TRUE(entry->notifications(1).deadline_missed());
  EXPECT_FALSE(entry->notifications(1).sent());
}

TEST(FoldEntryTest, AnAmendmentAfterTheDecisionTakesItBackToAssessed) {
  SourceEvents intake("intake", kBreach), assessment("assessment", kBreach);
  AddReportToDecision(intake, assessment);
  intake.Add(6, breach::v1::ReportAmended());
  EXPECT_EQ(FoldEntry(Both(intake, assessment), Rome())->status(),
            breach::v1::BREACH_STATUS_ASSESSED);
}

TEST(FoldEntryTest, AnAmendmentBeforeTheDecisionDoesNot) {
  SourceEvents intake("intake", kBreach), assessment("assessment", kBreach);
  AddReportToDecision(intake, assessment);  // decided at 5
  intake.Add(4, breach::v1::ReportAmended());
  const std::optional<RegisterEntry> entry = FoldEntry(Both(intake, assessment), Rome());
  EXPECT_EQ(entry->status(), breach::v1::BREACH_STATUS_DECIDED);
  EXPECT_EQ(entry->amendments(), 1u);
}

TEST(FoldEntryTest, ReopenedAfterAnAssessmentIsAssessed) {
  SourceEvents intake("intake", kBreach), assessment("assessment", kBreach);
  AddReportToDecision(intake, assessment);
  intake.Add(6, breach::v1::BreachClosed()).Add(7, breach::v1::BreachReopened());
  EXPECT_EQ(FoldEntry(Both(assessment, intake), Rome())->status(),
            breach::v1::BREACH_STATUS_ASSESSED);
}

TEST(FoldEntryTest, ViewsAreNotFoldedIntoTheEntry) {
  EXPECT_FALSE(ChangesEntry(SourceEvents("register", kBreach)
                                .Add(0, breach::v1::BreachViewed())
                                .events()
                                .front()));
  EXPECT_TRUE(ChangesEntry(SourceEvents("intake", kBreach).Add(0, testing::Reported()).events()
                               .front()));
}

TEST(FoldOrderTest, MergesTheSourcesByRecordedAtSameInstantByName) {
  SourceEvents intake("intake", kBreach), assessment("assessment", kBreach);
  intake.Add(0, testing::Reported()).Add(2, breach::v1::BreachClosed());
  assessment.Add(1, breach::v1::AssessmentSubmitted()).Add(2, breach::v1::DutiesDecided());
  const std::vector<EventEnvelope> events = Both(intake, assessment);
  EXPECT_THAT(Ids(FoldOrder(events)), ElementsAre(Id("intake-1"), Id("assessment-1"),
                                                  Id("assessment-2"), Id("intake-2")));
}

TEST(FoldOrderTest, KeepsASourcesStreamOrderWhenItsClockWentBack) {
  SourceEvents intake("intake", kBreach), assessment("assessment", kBreach);
  intake.Add(5, testing::Reported()).Add(1, breach::v1::BreachTriaged());  // clock stepped back
  assessment.Add(3, breach::v1::AssessmentSubmitted());
  const std::vector<EventEnvelope> events = Both(assessment, intake);
  EXPECT_THAT(Ids(FoldOrder(events)),
              ElementsAre(Id("assessment-1"), Id("intake-1"), Id("intake-2")));
}

}  // namespace
}  // namespace breachd::register_
