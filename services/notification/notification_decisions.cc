#include "services/notification/notification_decisions.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "breach/v1/events.pb.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/dispatch/recipients.h"
#include "libs/dispatch/webhook.h"
#include "libs/regulation/deadlines.h"
#include "libs/service/idempotency.h"
#include "libs/common/text_limits.h"
#include "services/intake/report_validation.h"
#include "services/notification/notification_case.h"

namespace breachd::notification {
namespace {

using breach::v1::DutyKind;

absl::Status CheckOptionalAddress(const std::string& field, const std::string& address) {
  if (address.empty()) return absl::OkStatus();
  return dispatch::ValidateEmailAddress(field, address);
}

bool IsBlank(const std::string& text) { return absl::StripAsciiWhitespace(text).empty(); }

}  // namespace

std::string DutyShortName(DutyKind duty) {
  switch (duty) {
    case breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION: return "authority";
    case breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION: return "subjects";
    case breach::v1::DUTY_KIND_CONTROLLER_NOTICE: return "controller";
    default: return absl::AsciiStrToLower(breach::v1::DutyKind_Name(duty));
  }
}

breach::v1::SchoolProfile ProfileFromDirectory(
    const breach::v1::DirectorySchool& school,
    const std::optional<breach::v1::SchoolProfile>& current) {
  breach::v1::SchoolProfile profile = current.value_or(breach::v1::SchoolProfile());
  profile.set_tenant(school.code());
  profile.set_name(school.name());
  profile.set_address(
      absl::StrCat(school.address(), ", ", school.postcode(), " ", school.municipality()));
  profile.set_email(school.email());
  profile.set_pec(school.pec());
  if (!school.dpo_name().empty()) profile.mutable_dpo()->set_name(school.dpo_name());
  if (!school.dpo_email().empty()) profile.mutable_dpo()->set_email(school.dpo_email());
  return profile;
}

absl::Status ValidateSchoolProfile(const breach::v1::SchoolProfile& profile) {
  if (profile.tenant().empty()) return absl::InvalidArgumentError("profile.tenant is required");
  RETURN_IF_ERROR(CheckTextLength("profile.tenant", profile.tenant(), 32));
  if (IsBlank(profile.name())) return absl::InvalidArgumentError("profile.name is required");
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, std::string>>{{"profile.name", profile.name()},
                                                        {"profile.address", profile.address()},
                                                        {"profile.head_name", profile.head_name()},
                                                        {"profile.dpo.name", profile.dpo().name()},
                                                        {"profile.dpo.phone", profile.dpo().phone()},
                                                        {"profile.tax_code", profile.tax_code()},
                                                        {"profile.website", profile.website()},
                                                        {"profile.webhook_url", profile.webhook_url()}}) {
    RETURN_IF_ERROR(CheckTextLength(field, value, 1024));
  }
  RETURN_IF_ERROR(CheckOptionalAddress("profile.email", profile.email()));
  RETURN_IF_ERROR(CheckOptionalAddress("profile.pec", profile.pec()));
  RETURN_IF_ERROR(CheckOptionalAddress("profile.dpo.email", profile.dpo().email()));
  if (!profile.webhook_url().empty()) {
    absl::Status url = dispatch::ValidateWebhookUrl(profile.webhook_url());
    if (!url.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("profile.webhook_url: ", url.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDraftableDuty(DutyKind duty, const char* field) {
  if (duty == breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION ||
      duty == breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION ||
      duty == breach::v1::DUTY_KIND_CONTROLLER_NOTICE) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(field, " must be authority, subjects or controller, not ",
                   breach::v1::DutyKind_IsValid(duty) ? DutyShortName(duty)
                                                      : absl::StrCat(static_cast<int>(duty))));
}

absl::Status CheckDutyRequired(const breach::v1::NotificationCase& c, DutyKind duty) {
  if (!IsAwareBreach(c)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "breach ", c.breach_id(), " is not judged a breach with an awareness moment",
        c.closed() ? " (it is closed)" : ""));
  }
  // The processor's notice may go before any assessment: the contract's 48 hours run already.
  if (duty == breach::v1::DUTY_KIND_CONTROLLER_NOTICE && !c.ever_decided()) {
    return absl::OkStatus();
  }
  // The authority notification may be drafted early: its 72 hours run from awareness.
  if (duty == breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION && !c.ever_decided()) {
    return absl::OkStatus();
  }
  for (const auto& decision : c.clock_duties()) {
    if (decision.duty() != duty) continue;
    if (decision.required()) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(DutyShortName(duty),
                                                      " is decided not required for breach ",
                                                      c.breach_id()));
  }
  return absl::FailedPreconditionError(
      absl::StrCat(DutyShortName(duty), " has no confirmed decision for breach ", c.breach_id(),
                   ": assess and decide first"));
}

absl::StatusOr<breach::v1::Draft> ComposeDraft(const breach::v1::NotificationCase& c,
                                               const std::optional<breach::v1::SchoolProfile>& school,
                                               const std::optional<breach::v1::Draft>& latest,
                                               const DraftOrder& order,
                                               const regulation::NotificationTemplates& templates,
                                               const absl::TimeZone& zone) {
  regulation::DutyDraftInputs inputs;
  inputs.duty = order.duty;
  inputs.phase = order.phase;
  inputs.previous_protocol = order.previous_protocol;
  inputs.assessment = c.assessment().version() > 0 ? &c.assessment() : nullptr;
  inputs.report = c.report().has_current() ? &c.report().current() : nullptr;
  inputs.school = school.has_value() ? &*school : nullptr;
  inputs.breach_id = c.breach_id();
  inputs.awareness = c.has_aware_at() ? TimeFromProto(c.aware_at()) : absl::InfinitePast();
  inputs.now = order.now;
  ASSIGN_OR_RETURN(std::vector<breach::v1::NotificationDraft> documents,
                   regulation::BuildDutyDrafts(inputs, templates, zone));
  breach::v1::Draft draft;
  draft.set_breach_id(c.breach_id());
  draft.set_tenant(c.tenant());
  draft.set_duty(order.duty);
  draft.set_draft_version(latest.has_value() ? latest->draft_version() + 1 : 1);
  draft.set_phase(documents.empty() ? order.phase : documents.front().phase());
  for (auto& document : documents) *draft.add_documents() = std::move(document);
  draft.set_sha256(regulation::DraftSha256({draft.documents().begin(), draft.documents().end()}));
  draft.set_assessment_version(c.assessment().version());
  draft.set_previous_protocol(order.previous_protocol);
  *draft.mutable_prepared_by() = order.prepared_by;
  *draft.mutable_prepared_at() = ProtoFromTime(order.now);
  return draft;
}

bool OpensIncidentCase(const breach::v1::EventEnvelope& event) {
  breach::v1::BreachReported reported;
  return event.payload().Is<breach::v1::BreachReported>() && event.payload().UnpackTo(&reported) &&
         !reported.incident_id().empty();
}

bool AmendsIncidentCase(const breach::v1::EventEnvelope& event) {
  breach::v1::ReportAmended amended;
  return event.payload().Is<breach::v1::ReportAmended>() && event.payload().UnpackTo(&amended) &&
         !amended.amendment().incident_id().empty();
}

absl::Status CheckApproval(const breach::v1::Draft& draft,
                           const breach::v1::ApproveDraftRequest& request,
                           const std::optional<breach::v1::DutyClock>& clock, absl::Time now) {
  if (request.draft_version() == 0) {
    return absl::InvalidArgumentError("draft_version is required: the version you read");
  }
  if (request.sha256().empty()) {
    return absl::InvalidArgumentError("sha256 is required: the hash of the version you read");
  }
  RETURN_IF_ERROR(CheckTextLength("delay_reason", request.delay_reason(), kMaxReasonBytes));
  if (request.sha256() != draft.sha256()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "draft v", draft.draft_version(), " has sha256 ", draft.sha256(),
        ", not the one approved: read it again and approve what you read"));
  }
  if (clock.has_value() && clock->deadline().has_due_at()) {
    RETURN_IF_ERROR(regulation::CheckSubmissionTiming(clock->deadline(), now,
                                                      request.delay_reason()));
  }
  return absl::OkStatus();
}

std::string IdempotencyKey(const std::string& breach_id, DutyKind duty, uint32_t draft_version,
                           const std::string& address) {
  breach::v1::Recipient key;  // any message: the fingerprint is over its deterministic bytes
  key.set_name(absl::StrCat(breach_id, "/", static_cast<int>(duty), "/", draft_version));
  key.set_address(absl::AsciiStrToLower(address));
  return service::RequestFingerprint(key).substr(0, 32);
}

DeliveryPlan PlanDeliveries(const breach::v1::Draft& draft, breach::v1::Channel channel,
                            const std::vector<breach::v1::Recipient>& recipients,
                            const std::vector<breach::v1::Delivery>& existing,
                            bool resend_unknown, absl::Time now) {
  DeliveryPlan plan;
  std::map<std::string, const breach::v1::Delivery*> by_key;
  for (const auto& delivery : existing) by_key[delivery.idempotency_key()] = &delivery;
  size_t next = existing.size();
  for (const breach::v1::Recipient& recipient : recipients) {
    const std::string key =
        IdempotencyKey(draft.breach_id(), draft.duty(), draft.draft_version(), recipient.address());
    auto it = by_key.find(key);
    breach::v1::Delivery delivery;
    if (it != by_key.end() && it->second == nullptr) continue;  // listed twice: served once
    if (it != by_key.end()) {
      if (!(resend_unknown &&
            it->second->status() == breach::v1::DELIVERY_STATUS_OUTCOME_UNKNOWN)) {
        plan.skipped.push_back(recipient.address());
        continue;
      }
      delivery = *it->second;  // the same delivery, sent again and recorded as such
      delivery.set_resend_after_unknown(true);
    } else {
      delivery.set_breach_id(draft.breach_id());
      delivery.set_tenant(draft.tenant());
      delivery.set_duty(draft.duty());
      delivery.set_draft_version(draft.draft_version());
      delivery.set_delivery_id(absl::StrFormat("%s-v%u-%05u", DutyShortName(draft.duty()),
                                               draft.draft_version(), ++next));
      delivery.set_idempotency_key(key);
      delivery.set_channel(channel);
      *delivery.mutable_recipient() = recipient;
      by_key[key] = nullptr;
    }
    const bool published = channel == breach::v1::CHANNEL_PUBLIC_NOTICE;
    delivery.set_status(published ? breach::v1::DELIVERY_STATUS_PUBLISHED
                                  : breach::v1::DELIVERY_STATUS_QUEUED);
    *delivery.mutable_queued_at() = ProtoFromTime(now);
    *delivery.mutable_next_attempt_at() = ProtoFromTime(now);
    if (published) *delivery.mutable_sent_at() = ProtoFromTime(now);
    plan.queued.push_back(std::move(delivery));
  }
  return plan;
}

breach::v1::DutySubmitted SubmissionOf(const breach::v1::Delivery& delivery,
                                       const std::optional<breach::v1::DutyClock>& clock,
                                       const std::string& delay_reason, absl::Time sent_at) {
  breach::v1::DutySubmitted submitted;
  submitted.set_breach_id(delivery.breach_id());
  submitted.set_duty(delivery.duty());
  *submitted.mutable_submitted_at() = ProtoFromTime(sent_at);
  submitted.set_late(clock.has_value() && clock->deadline().has_due_at() &&
                     sent_at > TimeFromProto(clock->deadline().due_at()));
  submitted.set_delay_reason(delay_reason);
  return submitted;
}

absl::Status CheckReceipt(const breach::v1::RecordReceiptRequest& request,
                          const std::vector<breach::v1::Delivery>& deliveries, absl::Time now,
                          bool incident_case) {
  RETURN_IF_ERROR(CheckDraftableDuty(request.duty(), "duty"));
  switch (request.kind()) {
    case breach::v1::RECEIPT_KIND_AUTHORITY_PROTOCOL:
      if (request.duty() != breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION) {
        return absl::InvalidArgumentError("kind: a protocol number is for the authority duty");
      }
      if (IsBlank(request.protocol_number())) {
        return absl::InvalidArgumentError("protocol_number is required for the authority's receipt");
      }
      break;
    case breach::v1::RECEIPT_KIND_CONTROLLER_ACKNOWLEDGED:
      if (request.duty() != breach::v1::DUTY_KIND_CONTROLLER_NOTICE) {
        return absl::InvalidArgumentError(
            "kind: an acknowledgement is for the controller duty (the processor's notice)");
      }
      break;
    case breach::v1::RECEIPT_KIND_PEC_ACCEPTANCE:
    case breach::v1::RECEIPT_KIND_PEC_DELIVERY:
      break;
    default:
      return absl::InvalidArgumentError(
          "kind must be authority-protocol, controller-acknowledged, pec-acceptance or "
          "pec-delivery");
  }
  RETURN_IF_ERROR(CheckTextLength("protocol_number", request.protocol_number(), 128));
  RETURN_IF_ERROR(CheckTextLength("note", request.note(), kMaxReasonBytes));
  if (!request.has_received_at()) return absl::InvalidArgumentError("received_at is required");
  RETURN_IF_ERROR(intake::CheckTimeField("received_at", request.received_at(), now));
  if (incident_case && request.kind() == breach::v1::RECEIPT_KIND_CONTROLLER_ACKNOWLEDGED) {
    return absl::OkStatus();
  }
  for (const auto& delivery : deliveries) {
    if (delivery.duty() == request.duty() &&
        (delivery.status() == breach::v1::DELIVERY_STATUS_SENT ||
         delivery.status() == breach::v1::DELIVERY_STATUS_OUTCOME_UNKNOWN)) {
      return absl::OkStatus();
    }
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "no ", DutyShortName(request.duty()), " message of breach ", request.breach_id(),
      " was sent: a receipt needs something sent first"));
}

}  // namespace breachd::notification
