// Test events of one breach as intake and assessment append them: each source's in its stream
// order, with the instant (seconds from an origin) each was recorded at.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/time_util.h"

namespace breachd::register_::testing {

inline constexpr char kTenant[] = "MIIS01200V";

// Where the register counts its years.
inline absl::TimeZone Rome() {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Europe/Rome", &zone)) zone = absl::UTCTimeZone();
  return zone;
}
inline constexpr int64_t kOrigin = 1767225600;  // 2026-01-01T00:00:00Z

// The events of one source for one breach, stream versions counted from 1.
class SourceEvents {
 public:
  SourceEvents(std::string source, std::string breach_id)
      : source_(std::move(source)), breach_id_(std::move(breach_id)) {}

  // The next event of this source, recorded `at` seconds after kOrigin (one append: same `at`).
  SourceEvents& Add(int64_t at, const google::protobuf::Message& payload) {
    breach::v1::EventEnvelope& event = events_.emplace_back();
    event.set_stream_version(events_.size());
    event.set_event_id(absl::StrCat(breach_id_, "-", source_, "-", event.stream_version()));
    event.set_type(std::string(payload.GetDescriptor()->full_name()));
    event.set_source(source_);
    event.set_stream_id(breach_id_);
    event.set_tenant(kTenant);
    *event.mutable_recorded_at() =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(kOrigin + at);
    *event.mutable_occurred_at() = event.recorded_at();
    event.mutable_actor()->set_subject(absl::StrCat("user:", source_));
    event.mutable_payload()->PackFrom(payload);
    return *this;
  }
  const std::vector<breach::v1::EventEnvelope>& events() const { return events_; }

 private:
  std::string source_;
  std::string breach_id_;
  std::vector<breach::v1::EventEnvelope> events_;
};

inline breach::v1::BreachReported Reported() {
  breach::v1::BreachReported reported;
  reported.mutable_report()->set_tenant(kTenant);
  *reported.mutable_report()->mutable_discovered_at() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(kOrigin);
  reported.mutable_report()->set_approx_data_subjects(24);
  reported.mutable_report()->set_description("Portatile smarrito");
  return reported;
}

inline breach::v1::BreachTriaged TriagedBreach() {
  breach::v1::BreachTriaged triaged;
  triaged.set_verdict(breach::v1::TRIAGE_VERDICT_BREACH);
  triaged.set_reason("Violazione confermata");
  *triaged.mutable_awareness()->mutable_aware_at() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(kOrigin);
  return triaged;
}

inline breach::v1::DutyDecision Duty(breach::v1::DutyKind kind, bool required) {
  breach::v1::DutyDecision decision;
  decision.set_duty(kind);
  decision.set_required(required);
  decision.set_computed_required(required);
  decision.set_regime("gdpr-it@2026-11");
  return decision;
}

// Intake's report, triage and action, and assessment's first version (submitted, severity,
// classification 3, two duties), its override of the communication and the decision: as the
// services append them, at seconds 0, 1, 2 (intake) and 3, 4, 5 (assessment).
inline void AddReportToDecision(SourceEvents& intake, SourceEvents& assessment) {
  intake.Add(0, Reported()).Add(1, TriagedBreach()).Add(2, breach::v1::ContainmentActionRecorded());
  breach::v1::AssessmentSubmitted submitted;
  submitted.set_version(1);
  breach::v1::SeverityAssessed severity;
  severity.set_version(1);
  severity.mutable_severity()->set_score(3.5);
  severity.mutable_severity()->set_band(breach::v1::SEVERITY_BAND_HIGH);
  breach::v1::BreachClassified classified;
  classified.set_version(1);
  classified.set_classification(3);
  breach::v1::DutyDecided authority;
  *authority.mutable_decision() = Duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION, true);
  breach::v1::DutyDecided subjects;
  *subjects.mutable_decision() = Duty(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION, true);
  breach::v1::DutyOverridden overridden;
  *overridden.mutable_decision() = Duty(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION, false);
  overridden.mutable_decision()->mutable_human_override()->set_reason("Portatile ritrovato");
  breach::v1::DutiesDecided decided;
  decided.set_version(1);
  assessment.Add(3, submitted).Add(3, severity).Add(3, classified).Add(3, authority);
  assessment.Add(3, subjects).Add(4, overridden).Add(5, decided);
}

// The Garante's notification as the notification service appends it, from `at` seconds on: its
// clock armed (due 72 hours after the origin), the draft prepared, queued, and submitted.
inline void AddAuthorityNotification(SourceEvents& notification, int64_t at) {
  const breach::v1::DutyKind duty = breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION;
  breach::v1::ClockArmed armed;
  armed.mutable_deadline()->set_duty(duty);
  armed.mutable_deadline()->mutable_due_at()->set_seconds(kOrigin + 259200);
  breach::v1::DraftPrepared draft;
  draft.mutable_draft()->set_duty(duty);
  draft.mutable_draft()->set_draft_version(1);
  breach::v1::DispatchQueued queued;
  queued.set_duty(duty);
  queued.set_draft_version(1);
  breach::v1::DutySubmitted submitted;
  submitted.set_duty(duty);
  notification.Add(at, armed).Add(at + 1, draft).Add(at + 2, queued).Add(at + 3, submitted);
}

}  // namespace breachd::register_::testing
