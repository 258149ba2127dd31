// Events of intake and assessment as the notification service receives them from the bus, for
// tests that drive the service without the other services.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "breach/v1/envelope.pb.h"
#include "breach/v1/events.pb.h"
#include "libs/common/proto_time.h"
#include "libs/service/event_factory.h"

namespace breachd::notification::testing {

inline constexpr char kSchool[] = "MIIS01200V";

inline breach::v1::EventEnvelope BusEvent(const std::string& source, const std::string& breach_id,
                                          absl::Time at, const google::protobuf::Message& payload) {
  breach::v1::EventEnvelope event = service::MakeEvent(
      {source, {"user:head", kSchool, {"school-head"}}, "", breach_id}, kSchool, at, payload);
  event.set_stream_id(breach_id);
  return event;
}

inline breach::v1::EventEnvelope Reported(const std::string& breach_id, absl::Time at) {
  breach::v1::BreachReported reported;
  reported.set_breach_id(breach_id);
  reported.mutable_report()->set_tenant(kSchool);
  reported.mutable_report()->set_place("Aula 3B");
  return BusEvent("intake", breach_id, at, reported);
}

// A case of a provider-wide incident: reported by the processor, aware at `processor_aware_at`.
inline breach::v1::EventEnvelope IncidentCase(const std::string& breach_id,
                                              absl::Time processor_aware_at) {
  breach::v1::BreachReported reported;
  reported.set_breach_id(breach_id);
  reported.mutable_report()->set_tenant(kSchool);
  reported.mutable_report()->set_reporter_role(breach::v1::REPORTER_ROLE_PROCESSOR);
  reported.set_incident_id("01INCIDENT0000000000000000");
  *reported.mutable_processor_aware_at() = ProtoFromTime(processor_aware_at);
  return BusEvent("intake", breach_id, processor_aware_at, reported);
}

inline breach::v1::EventEnvelope Triaged(const std::string& breach_id, absl::Time aware_at,
                                         bool correction = false) {
  breach::v1::BreachTriaged triaged;
  triaged.set_breach_id(breach_id);
  triaged.set_verdict(breach::v1::TRIAGE_VERDICT_BREACH);
  *triaged.mutable_awareness()->mutable_aware_at() = ProtoFromTime(aware_at);
  if (correction) *triaged.mutable_previous_awareness()->mutable_aware_at() = ProtoFromTime(aware_at);
  return BusEvent("intake", breach_id, aware_at, triaged);
}

inline breach::v1::DutyDecision Decision(breach::v1::DutyKind duty, bool required) {
  breach::v1::DutyDecision decision;
  decision.set_duty(duty);
  decision.set_required(required);
  decision.set_computed_required(required);
  decision.set_regime("gdpr-it@2026-11");
  return decision;
}

inline breach::v1::EventEnvelope Submitted(const std::string& breach_id, uint32_t version,
                                           absl::Time aware_at, absl::Time at) {
  breach::v1::AssessmentSubmitted submitted;
  submitted.set_breach_id(breach_id);
  submitted.set_version(version);
  submitted.mutable_assessment()->set_breach_id(breach_id);
  submitted.mutable_assessment()->set_tenant(kSchool);
  *submitted.mutable_assessment()->mutable_awareness_time() = ProtoFromTime(aware_at);
  return BusEvent("assessment", breach_id, at, submitted);
}

inline breach::v1::EventEnvelope Decided(const std::string& breach_id, uint32_t version,
                                         bool authority, bool subjects, absl::Time at) {
  breach::v1::DutiesDecided decided;
  decided.set_breach_id(breach_id);
  decided.set_version(version);
  *decided.add_decisions() = Decision(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION, authority);
  *decided.add_decisions() = Decision(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION, subjects);
  return BusEvent("assessment", breach_id, at, decided);
}

}  // namespace breachd::notification::testing
