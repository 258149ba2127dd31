#include "services/intake/incident_progress.h"

#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "libs/common/proto_time.h"

namespace breachd::intake {
namespace {

using breach::v1::IncidentCaseProgress;

bool TurnOn(bool on, IncidentCaseProgress& progress,
            void (IncidentCaseProgress::*set)(bool), bool (IncidentCaseProgress::*get)() const) {
  if (!on || (progress.*get)()) return false;
  (progress.*set)(true);
  return true;
}

IncidentCaseProgress::Clock& ClockOf(breach::v1::DutyKind duty, IncidentCaseProgress& progress) {
  for (auto& clock : *progress.mutable_clocks()) {
    if (clock.duty() == duty) return clock;
  }
  IncidentCaseProgress::Clock& clock = *progress.add_clocks();
  clock.set_duty(duty);
  return clock;
}

// A clock moved by the notification's event at `version`: only if it is newer than what moved
// it last.
bool MoveClock(breach::v1::DutyKind duty, uint64_t version, bool armed,
               const google::protobuf::Timestamp* due_at, IncidentCaseProgress& progress) {
  IncidentCaseProgress::Clock& clock = ClockOf(duty, progress);
  if (clock.version() >= version && clock.version() != 0) return false;
  clock.set_version(version);
  clock.set_armed(armed);
  if (due_at != nullptr) *clock.mutable_due_at() = *due_at;
  return true;
}

}  // namespace

std::string IncidentProgressKey(const std::string& breach_id) {
  return absl::StrCat("incident-progress/", breach_id);
}

bool FoldProgress(const breach::v1::EventEnvelope& event, IncidentCaseProgress& p) {
  const google::protobuf::Any& payload = event.payload();
  constexpr auto kController = breach::v1::DUTY_KIND_CONTROLLER_NOTICE;
  constexpr auto kAuthority = breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION;
  bool changed = false;
  breach::v1::DispatchQueued queued;
  if (payload.Is<breach::v1::DispatchQueued>() && payload.UnpackTo(&queued)) {
    changed |= TurnOn(queued.duty() == kController, p, &IncidentCaseProgress::set_notice_sent,
                      &IncidentCaseProgress::notice_sent);
  }
  breach::v1::DeliverySent sent;
  if (payload.Is<breach::v1::DeliverySent>() && payload.UnpackTo(&sent)) {
    changed |= TurnOn(sent.duty() == kController, p, &IncidentCaseProgress::set_notice_delivered,
                      &IncidentCaseProgress::notice_delivered);
  }
  breach::v1::DutySubmitted submitted;
  if (payload.Is<breach::v1::DutySubmitted>() && payload.UnpackTo(&submitted)) {
    const bool controller = submitted.duty() == kController;
    changed |= TurnOn(controller, p, &IncidentCaseProgress::set_notice_sent,
                      &IncidentCaseProgress::notice_sent);
    changed |= TurnOn(controller, p, &IncidentCaseProgress::set_notice_delivered,
                      &IncidentCaseProgress::notice_delivered);
    changed |= TurnOn(submitted.duty() == kAuthority, p,
                      &IncidentCaseProgress::set_garante_notified,
                      &IncidentCaseProgress::garante_notified);
    changed |= MoveClock(submitted.duty(), event.stream_version(), false, nullptr, p);
  }
  breach::v1::ReceiptRecorded receipt;
  if (payload.Is<breach::v1::ReceiptRecorded>() && payload.UnpackTo(&receipt)) {
    const breach::v1::Receipt& r = receipt.receipt();
    changed |= TurnOn(r.kind() == breach::v1::RECEIPT_KIND_CONTROLLER_ACKNOWLEDGED, p,
                      &IncidentCaseProgress::set_acknowledged, &IncidentCaseProgress::acknowledged);
    changed |= TurnOn(r.duty() == kController && r.kind() == breach::v1::RECEIPT_KIND_PEC_DELIVERY,
                      p, &IncidentCaseProgress::set_notice_delivered,
                      &IncidentCaseProgress::notice_delivered);
    changed |= TurnOn(r.kind() == breach::v1::RECEIPT_KIND_AUTHORITY_PROTOCOL, p,
                      &IncidentCaseProgress::set_garante_notified,
                      &IncidentCaseProgress::garante_notified);
  }
  changed |= TurnOn(payload.Is<breach::v1::AssessmentSubmitted>(), p,
                    &IncidentCaseProgress::set_assessed, &IncidentCaseProgress::assessed);
  breach::v1::ClockArmed armed;
  if (payload.Is<breach::v1::ClockArmed>() && payload.UnpackTo(&armed)) {
    changed |= MoveClock(armed.deadline().duty(), event.stream_version(), true,
                         &armed.deadline().due_at(), p);
  }
  breach::v1::ClockDisarmed disarmed;
  if (payload.Is<breach::v1::ClockDisarmed>() && payload.UnpackTo(&disarmed)) {
    changed |= MoveClock(disarmed.duty(), event.stream_version(), false, nullptr, p);
  }
  return changed;
}

std::vector<breach::v1::IncidentStage> StagesOf(const IncidentCaseProgress& p, absl::Time now) {
  std::vector<breach::v1::IncidentStage> stages = {breach::v1::INCIDENT_STAGE_CASE_CREATED};
  if (p.notice_sent()) stages.push_back(breach::v1::INCIDENT_STAGE_NOTICE_SENT);
  if (p.notice_delivered()) stages.push_back(breach::v1::INCIDENT_STAGE_NOTICE_DELIVERED);
  if (p.acknowledged()) stages.push_back(breach::v1::INCIDENT_STAGE_ACKNOWLEDGED);
  if (p.assessed()) stages.push_back(breach::v1::INCIDENT_STAGE_ASSESSED);
  if (p.garante_notified()) stages.push_back(breach::v1::INCIDENT_STAGE_GARANTE_NOTIFIED);
  for (const auto& clock : p.clocks()) {
    if (clock.armed() && clock.has_due_at() && TimeFromProto(clock.due_at()) <= now) {
      stages.push_back(breach::v1::INCIDENT_STAGE_OVERDUE);
      break;
    }
  }
  return stages;
}

}  // namespace breachd::intake
