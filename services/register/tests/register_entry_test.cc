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
using testing::Rome;
using ::testing::ElementsAre;

constexpr char kBreach[] = "01JQ0000000000000000000000";


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

// Every column a school's register keeps: the Allegato A, the awareness, the classification
// with its reasons, the measures, the regimes, and the three communication columns.
TEST(FoldEntryTest, EveryColumnOfTheRegister) {
  SourceEvents intake("intake", kBreach), assessment("assessment", kBreach),
      notification("notification", kBreach);
  breach::v1::BreachReported reported = testing::Reported();
  reported.mutable_report()->set_device_lost(true);
  reported.mutable_report()->add_databases("Registro elettronico");
  reported.mutable_report()->set_actions_taken("Password cambiate");
  reported.mutable_report()->set_department_head("Prof. Bianchi");
  reported.mutable_report()->set_reporter_role(breach::v1::REPORTER_ROLE_STAFF);
  breach::v1::BreachTriaged triaged = testing::TriagedBreach();
  triaged.mutable_awareness()->set_evidence("Denuncia alla Polfer");
  triaged.mutable_awareness()->mutable_decided_by()->set_subject("user:preside");
  breach::v1::ContainmentActionRecorded action;
  action.mutable_action()->set_what("Account sospesi");
  action.mutable_action()->set_status(breach::v1::ACTION_STATUS_DONE);
  intake.Add(0, reported).Add(1, triaged).Add(2, action);
  breach::v1::AssessmentSubmitted submitted;
  submitted.set_version(1);
  submitted.add_regimes("gdpr-it@2026-11");
  breach::v1::BreachClassified classified;
  classified.set_classification(2);
  classified.set_regime("school-procedure@2026-01");
  classified.add_reasons()->set_it("Dati di minori");
  breach::v1::DutyDecided authority, subjects, controller;
  *authority.mutable_decision() = testing::Duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION, true);
  *subjects.mutable_decision() = testing::Duty(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION, true);
  *controller.mutable_decision() = testing::Duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE, true);
  assessment.Add(3, submitted).Add(3, classified).Add(3, authority).Add(3, subjects);
  assessment.Add(3, controller);
  // The Garante's notification: a complete draft sent over PEC, with its protocol number.
  breach::v1::DraftPrepared draft;
  draft.mutable_draft()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  draft.mutable_draft()->set_draft_version(1);
  draft.mutable_draft()->set_phase(breach::v1::NOTIFICATION_PHASE_COMPLETE);
  breach::v1::DispatchQueued queued;
  queued.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  queued.set_draft_version(1);
  queued.add_deliveries()->set_channel(breach::v1::CHANNEL_PEC);
  breach::v1::DutySubmitted sent;
  sent.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  sent.mutable_submitted_at()->set_seconds(testing::kOrigin + 8);
  breach::v1::ReceiptRecorded receipt;
  receipt.mutable_receipt()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  receipt.mutable_receipt()->set_protocol_number("0012345/2026");
  // The processor's notice to the school went by webhook.
  breach::v1::DispatchQueued notice;
  notice.set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  notice.add_deliveries()->set_channel(breach::v1::CHANNEL_WEBHOOK);
  breach::v1::DutySubmitted notice_sent;
  notice_sent.set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  notice_sent.mutable_submitted_at()->set_seconds(testing::kOrigin + 6);
  notification.Add(6, notice).Add(6, notice_sent).Add(7, draft).Add(8, queued).Add(8, sent);
  notification.Add(9, receipt);

  std::vector<EventEnvelope> events = Both(notification, assessment);
  events.insert(events.end(), intake.events().begin(), intake.events().end());
  const std::optional<RegisterEntry> entry = FoldEntry(events, Rome());
  ASSERT_TRUE(entry.has_value());
  EXPECT_TRUE(entry->device_lost());
  EXPECT_THAT(entry->databases(), ElementsAre("Registro elettronico"));
  EXPECT_EQ(entry->actions_taken(), "Password cambiate");
  EXPECT_EQ(entry->department_head(), "Prof. Bianchi");
  EXPECT_EQ(entry->reporter_role(), breach::v1::REPORTER_ROLE_STAFF);
  EXPECT_EQ(entry->reported_by().subject(), "user:intake");
  EXPECT_EQ(entry->awareness_evidence(), "Denuncia alla Polfer");
  EXPECT_EQ(entry->aware_decided_by().subject(), "user:preside");
  EXPECT_EQ(entry->classification(), 2);
  EXPECT_EQ(entry->classification_regime(), "school-procedure@2026-01");
  ASSERT_EQ(entry->classification_reasons_size(), 1);
  EXPECT_EQ(entry->classification_reasons(0).it(), "Dati di minori");
  ASSERT_EQ(entry->measures_size(), 1);
  EXPECT_EQ(entry->measures(0).what(), "Account sospesi");
  EXPECT_THAT(entry->regimes(), ElementsAre("gdpr-it@2026-11"));

  EXPECT_TRUE(entry->authority().required());
  EXPECT_TRUE(entry->authority().done());
  EXPECT_EQ(entry->authority().at().seconds(), testing::kOrigin + 8);
  EXPECT_EQ(entry->authority().protocol_number(), "0012345/2026");
  EXPECT_EQ(entry->authority().phase(), breach::v1::NOTIFICATION_PHASE_COMPLETE);
  EXPECT_THAT(entry->authority().channels(), ElementsAre(breach::v1::CHANNEL_PEC));
  EXPECT_TRUE(entry->data_subjects().required());
  EXPECT_FALSE(entry->data_subjects().done());
  EXPECT_TRUE(entry->others().done());
  EXPECT_EQ(entry->others().at().seconds(), testing::kOrigin + 6);
  EXPECT_EQ(entry->others().details(), "controller_notice");
  EXPECT_THAT(entry->others().channels(), ElementsAre(breach::v1::CHANNEL_WEBHOOK));
}

// Overdue: a running clock past its due time, or one whose DeadlineMissed arrived; not once
// the duty is met or the clock is disarmed.
TEST(FoldEntryTest, OverdueFromARunningClockPastDueOrItsMiss) {
  SourceEvents intake("intake", kBreach), notification("notification", kBreach);
  intake.Add(0, testing::Reported());
  breach::v1::ClockArmed armed;
  armed.mutable_deadline()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  armed.mutable_deadline()->mutable_due_at()->set_seconds(testing::kOrigin + 72 * 3600);
  notification.Add(1, armed);
  const absl::Time before_due = absl::FromUnixSeconds(testing::kOrigin + 3600);
  const absl::Time after_due = absl::FromUnixSeconds(testing::kOrigin + 73 * 3600);

  std::optional<RegisterEntry> entry = FoldEntry(Both(intake, notification), Rome());
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->next_due_at().seconds(), testing::kOrigin + 72 * 3600);
  EXPECT_FALSE(IsOverdue(*entry, before_due));
  EXPECT_TRUE(IsOverdue(*entry, after_due));

  breach::v1::DeadlineMissed missed;
  missed.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  notification.Add(72 * 3600, missed);
  entry = FoldEntry(Both(intake, notification), Rome());
  EXPECT_TRUE(IsOverdue(*entry, before_due));  // the service said so, whatever our clock says

  breach::v1::DutySubmitted submitted;
  submitted.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  submitted.set_late(true);
  notification.Add(73 * 3600, submitted);
  entry = FoldEntry(Both(intake, notification), Rome());
  EXPECT_FALSE(IsOverdue(*entry, after_due));
  EXPECT_FALSE(entry->has_next_due_at());
  EXPECT_TRUE(entry->notifications(0).deadline_missed());  // still in the register
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

// Folding each event onto the entry as they come, in FoldOrder (each when FoldsLast says it
// comes after the others), gives the entry FoldEntry folds from them all; DispatchQueued asks for
// the events (its draft's phase is in them).
TEST(FoldOntoTest, EventsInFoldOrderFoldOntoTheEntryAsAllAtOnce) {
  SourceEvents intake("intake", kBreach), assessment("assessment", kBreach),
      notification("notification", kBreach);
  AddReportToDecision(intake, assessment);
  breach::v1::ClockArmed armed;
  armed.mutable_deadline()->set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  armed.mutable_deadline()->mutable_due_at()->set_seconds(testing::kOrigin + 172800);
  breach::v1::DraftPrepared draft;
  draft.mutable_draft()->set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  draft.mutable_draft()->set_draft_version(1);
  notification.Add(20, armed).Add(20, draft);
  std::vector<EventEnvelope> all = Both(intake, assessment);
  all.insert(all.end(), notification.events().begin(), notification.events().end());
  std::vector<EventEnvelope> folded;
  std::optional<RegisterEntry> entry;
  breach::v1::RegisterFoldHeads heads;
  int onto = 0;
  for (const EventEnvelope* event : FoldOrder(all)) {
    if (entry.has_value()) {
      ASSERT_TRUE(FoldsLast(heads, *event)) << event->event_id();
      entry = FoldOnto(*std::move(entry), *event, Rome(), heads);
      ASSERT_TRUE(entry.has_value());
      ++onto;
    }
    folded.push_back(*event);
    if (!entry.has_value()) {
      entry = FoldEntry(folded, Rome());
      heads = FoldHeadsOf(folded);
    }
    const std::optional<RegisterEntry> whole = FoldEntry(folded, Rome());
    ASSERT_EQ(entry.has_value(), whole.has_value());
    if (whole.has_value()) {
      EXPECT_EQ(entry->SerializeAsString(), whole->SerializeAsString()) << event->event_id();
    }
    EXPECT_EQ(heads.events(), folded.size());
  }
  EXPECT_EQ(onto, static_cast<int>(all.size()) - 1);  // every event after the report
  breach::v1::DispatchQueued queued;
  queued.set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  queued.set_draft_version(1);
  notification.Add(30, queued);
  EXPECT_TRUE(FoldsLast(heads, notification.events().back()));
  EXPECT_FALSE(FoldOnto(*entry, notification.events().back(), Rome(), heads).has_value());
}

// An event does not come last when its source already has it (or a later one), when another
// source has an event recorded after it, or one at the same instant from a source later in name
// order; a source earlier in name order at the same instant goes first.
TEST(FoldOntoTest, FoldsLastOnlyAfterEveryHead) {
  SourceEvents intake("intake", kBreach), notification("notification", kBreach),
      assessment("assessment", kBreach);
  intake.Add(10, testing::Reported());
  const breach::v1::RegisterFoldHeads heads = FoldHeadsOf(intake.events());
  EXPECT_FALSE(FoldsLast(heads, intake.events().front()));  // already folded
  notification.Add(9, breach::v1::ClockArmed());
  EXPECT_FALSE(FoldsLast(heads, notification.events().back()));  // recorded before the report
  notification.Add(10, breach::v1::ClockArmed());
  EXPECT_TRUE(FoldsLast(heads, notification.events().back()));  // "intake" < "notification"
  assessment.Add(10, breach::v1::SeverityAssessed());
  EXPECT_FALSE(FoldsLast(heads, assessment.events().back()));  // "assessment" < "intake"
  assessment.Add(11, breach::v1::SeverityAssessed());
  EXPECT_TRUE(FoldsLast(heads, assessment.events().back()));
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
