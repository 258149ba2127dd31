// The notification service's decisions, pure: a school's details checked, which duties may be
// drafted, an approval checked against the exact version and the deadline, who receives an
// approved draft and with which idempotency key, and how each delivery event moves a delivery.
// Errors: INVALID_ARGUMENT naming the field, FAILED_PRECONDITION saying what is missing first.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/directory.pb.h"
#include "breach/v1/envelope.pb.h"
#include "breach/v1/notification.pb.h"
#include "libs/regulation/notification_drafts.h"
#include "services/notification/clock_planner.h"

namespace breachd::notification {

// The short name of a duty in ids and commands: "authority", "subjects", "controller".
std::string DutyShortName(breach::v1::DutyKind duty);

// The school's profile as the directory describes it (SchoolImported): name, address (street,
// postcode and municipality), e-mail, PEC and DPO from `school`; what the directory does not
// know (head, webhook, tax code, website, the DPO's phone) stays as `current` has it.
breach::v1::SchoolProfile ProfileFromDirectory(const breach::v1::DirectorySchool& school,
                                               const std::optional<breach::v1::SchoolProfile>& current);

// INVALID_ARGUMENT naming the field: tenant, addresses (e-mail, PEC, DPO), an https webhook,
// lengths.
absl::Status ValidateSchoolProfile(const breach::v1::SchoolProfile& profile);

// The duties this service drafts and sends.
absl::Status CheckDraftableDuty(breach::v1::DutyKind duty, const char* field);

// Whether `duty` may be drafted for this case: judged a breach, and required by the decisions
// the clocks follow (FAILED_PRECONDITION naming what is missing).
absl::Status CheckDutyRequired(const breach::v1::NotificationCase& notification_case,
                               breach::v1::DutyKind duty);

// A new version of the `duty` draft of the case (numbered after `latest`), its documents built
// from the report as it reads, the latest assessment, the awareness moment and the school's
// profile (`school` absent: its details are shown as unknown). INVALID_ARGUMENT as
// regulation::BuildDutyDrafts.
struct DraftOrder {
  breach::v1::DutyKind duty = breach::v1::DUTY_KIND_UNSPECIFIED;
  breach::v1::NotificationPhase phase = breach::v1::NOTIFICATION_PHASE_UNSPECIFIED;
  std::string previous_protocol;
  breach::v1::Actor prepared_by;
  absl::Time now;
};
absl::StatusOr<breach::v1::Draft> ComposeDraft(
    const breach::v1::NotificationCase& notification_case,
    const std::optional<breach::v1::SchoolProfile>& school,
    const std::optional<breach::v1::Draft>& latest, const DraftOrder& order,
    const regulation::NotificationTemplates& templates, const absl::TimeZone& zone);

// Whether `event` opens a case of a provider-wide incident (BreachReported with incident_id):
// its processor's notice to the school is drafted then, with no one asking (docs/incidents.md).
bool OpensIncidentCase(const breach::v1::EventEnvelope& event);

// Whether `event` brings an incident's update to one of its cases (ReportAmended from the
// incident): the notice drafted at the opening is drafted again, as a new version, from the
// facts as amended.
bool AmendsIncidentCase(const breach::v1::EventEnvelope& event);

// An approval of `draft` by the request: the version and hash the approver read
// (FAILED_PRECONDITION when the draft changed since), and a reason for the delay when it comes
// after the legal deadline (art. 33(1)).
absl::Status CheckApproval(const breach::v1::Draft& draft,
                           const breach::v1::ApproveDraftRequest& request,
                           const std::optional<breach::v1::DutyClock>& clock, absl::Time now);

// The deliveries of an approved draft to `recipients` over `channel`: one per recipient,
// numbered after `existing` deliveries, skipping a recipient who already has a delivery of this
// draft version (never twice), except one whose outcome is unknown when `resend_unknown`.
struct DeliveryPlan {
  std::vector<breach::v1::Delivery> queued;
  std::vector<std::string> skipped;  // addresses already served by this version
};
DeliveryPlan PlanDeliveries(const breach::v1::Draft& draft, breach::v1::Channel channel,
                            const std::vector<breach::v1::Recipient>& recipients,
                            const std::vector<breach::v1::Delivery>& existing,
                            bool resend_unknown, absl::Time now);

// The idempotency key of one recipient of one draft version (hex, 32 characters).
std::string IdempotencyKey(const std::string& breach_id, breach::v1::DutyKind duty,
                           uint32_t draft_version, const std::string& address);

// Whether the first accepted delivery of `duty` met its deadline (DutySubmitted), given the
// duty's clock (absent: no deadline known, counts as met).
breach::v1::DutySubmitted SubmissionOf(const breach::v1::Delivery& delivery,
                                       const std::optional<breach::v1::DutyClock>& clock,
                                       const std::string& delay_reason, absl::Time sent_at);

// A receipt checked: kind fits the duty, a protocol number for the authority, a time in
// [2000-01-01, now + 5 min], and something was sent for the duty (FAILED_PRECONDITION). A
// school acknowledging the processor's notice of an incident (`incident_case`) needs nothing
// sent: the provider told it through the incident (its portal, its own channels).
absl::Status CheckReceipt(const breach::v1::RecordReceiptRequest& request,
                          const std::vector<breach::v1::Delivery>& deliveries, absl::Time now,
                          bool incident_case = false);

}  // namespace breachd::notification
