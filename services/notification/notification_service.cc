#include "services/notification/notification_service.h"

#include "libs/privacy/field_cipher.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "libs/common/ids.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/dispatch/recipients.h"
#include "libs/service/event_factory.h"
#include "libs/service/idempotency.h"
#include "libs/service/projection_rows.h"
#include "services/intake/report_validation.h"
#include "services/notification/clock_planner.h"
#include "services/notification/dispatcher.h"
#include "services/notification/notification_case.h"
#include "services/notification/notification_decisions.h"
#include "services/notification/notification_schema.h"

namespace breachd::notification {
namespace {

using breach::v1::Draft;
using breach::v1::NotificationCase;

constexpr char kSetSchoolMethod[] = "/breach.v1.NotificationService/SetSchoolProfile";
constexpr char kGetSchoolMethod[] = "/breach.v1.NotificationService/GetSchoolProfile";
constexpr char kListDeadlinesMethod[] = "/breach.v1.NotificationService/ListDeadlines";
constexpr char kPrepareMethod[] = "/breach.v1.NotificationService/PrepareDraft";
constexpr char kGetDraftMethod[] = "/breach.v1.NotificationService/GetDraft";
constexpr char kApproveMethod[] = "/breach.v1.NotificationService/ApproveDraft";
constexpr char kSendMethod[] = "/breach.v1.NotificationService/SendNotification";
constexpr char kStatusMethod[] = "/breach.v1.NotificationService/GetNotificationStatus";
constexpr char kReceiptMethod[] = "/breach.v1.NotificationService/RecordReceipt";
constexpr char kNoticeMethod[] = "/breach.v1.NotificationService/GetPublicNotice";

constexpr int64_t kMaxDueWithinSeconds = 365 * 24 * 3600;

using service::ActorOf;

const breach::v1::DutyDecision* DecisionOf(const NotificationCase& c, breach::v1::DutyKind duty) {
  for (const auto& decision : c.clock_duties()) {
    if (decision.duty() == duty) return &decision;
  }
  return nullptr;
}

}  // namespace

NotificationService::NotificationService(NotificationDeps deps)
    : deps_(std::move(deps)),
      reads_(deps_.store),
      guard_(kServiceName, deps_.identities, deps_.store, deps_.clock, deps_.on_append),
      gate_(deps_.store, deps_.clock) {}

absl::StatusOr<NotificationCase> NotificationService::FindAuthorized(
    const auth::Principal& principal, const std::string& breach_id, auth::Action action,
    const std::string& method) {
  if (!IsUlid(breach_id)) return absl::InvalidArgumentError("breach_id is not a breach id");
  const absl::Status no_breach = absl::NotFoundError(
      absl::StrCat("no breach ", breach_id, " known to the notification service"));
  ASSIGN_OR_RETURN(std::optional<NotificationCase> found, FindCase(deps_.store, breach_id));
  if (!found.has_value()) return no_breach;
  RETURN_IF_ERROR(
      guard_.AuthorizeBreach(principal, action, found->tenant(), method, breach_id, no_breach));
  return *std::move(found);
}

absl::Status NotificationService::AppendChange(const auth::Principal& principal,
                                               const std::string& causation_id,
                                               StreamChange change) {
  RETURN_IF_ERROR(SealEvents(change, deps_.cipher));
  RETURN_IF_ERROR(
      deps_.store.Append(ToAppend(change, principal, causation_id, deps_.clock.Now())).status());
  if (deps_.on_append) deps_.on_append();
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Schools.

grpc::Status NotificationService::SetSchoolProfile(grpc::ServerContext* context,
                                                   const breach::v1::SetSchoolProfileRequest* request,
                                                   breach::v1::SchoolProfile* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(ValidateSchoolProfile(request->profile()));
    const std::string& tenant = request->profile().tenant();
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kManageSchools, tenant,
                                     kSetSchoolMethod));
    absl::MutexLock lock(&deps_.breach_locks.For(SchoolKey(tenant)));
    // The head's and the DPO's name and contacts are sealed with the school's key.
    breach::v1::SchoolProfileSet set;
    *set.mutable_profile() = request->profile();
    if (deps_.cipher != nullptr) RETURN_IF_ERROR(deps_.cipher->SealPersonalData(set, tenant));
    StreamChange change{SchoolStreamId(tenant), tenant, {}, {}};
    change.rows.push_back({SchoolKey(tenant), set.profile().SerializeAsString()});
    change.Emit(set);
    RETURN_IF_ERROR(AppendChange(principal, "", std::move(change)));
    *response = request->profile();
    return absl::OkStatus();
  });
}

grpc::Status NotificationService::GetSchoolProfile(grpc::ServerContext* context,
                                                   const breach::v1::GetSchoolProfileRequest* request,
                                                   breach::v1::SchoolProfile* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    const std::string tenant = request->tenant().empty() ? principal.tenant : request->tenant();
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kReadNotifications, tenant,
                                     kGetSchoolMethod));
    ASSIGN_OR_RETURN(std::optional<breach::v1::SchoolProfile> found,
                     FindSchool(deps_.store, tenant, deps_.cipher));
    if (!found.has_value()) {
      return absl::NotFoundError(absl::StrCat("school ", tenant, " has no details yet: ",
                                              "breachctl school set ", tenant, " -f school.json"));
    }
    *response = *std::move(found);
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------------------------
// Deadlines.

grpc::Status NotificationService::ListDeadlines(grpc::ServerContext* context,
                                                const breach::v1::ListDeadlinesRequest* request,
                                                breach::v1::ListDeadlinesResponse* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    if (request->due_within_seconds() < 0 || request->due_within_seconds() > kMaxDueWithinSeconds) {
      return absl::InvalidArgumentError(absl::StrCat(
          "due_within_seconds is ", request->due_within_seconds(), "; it must be 0..",
          kMaxDueWithinSeconds, " (a year)"));
    }
    std::string tenant = request->tenant();
    if (tenant.empty() && !principal.IsProvider()) tenant = principal.tenant;
    if (tenant.empty()) {
      RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kListAllTenants, "",
                                       kListDeadlinesMethod));
    } else {
      RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kReadNotifications, tenant,
                                       kListDeadlinesMethod));
    }
    const absl::Time now = deps_.clock.Now();
    ASSIGN_OR_RETURN(std::vector<breach::v1::DutyClock> clocks,
                     service::ReadRows<breach::v1::DutyClock>(deps_.store, ClockPrefix("")));
    std::vector<breach::v1::DutyClock> shown;
    for (breach::v1::DutyClock& clock : clocks) {
      if (!tenant.empty() && clock.tenant() != tenant) continue;
      clock.mutable_deadline()->set_status(ClockStatusAt(clock, now));
      const bool closed = !clock.armed();
      if (closed && !request->include_closed()) continue;
      if (request->overdue_only() &&
          clock.deadline().status() != breach::v1::DEADLINE_STATUS_OVERDUE) {
        continue;
      }
      if (request->due_within_seconds() > 0 &&
          TimeFromProto(clock.deadline().due_at()) >
              now + absl::Seconds(request->due_within_seconds())) {
        continue;
      }
      shown.push_back(std::move(clock));
    }
    std::sort(shown.begin(), shown.end(), [](const auto& a, const auto& b) {
      return TimeFromProto(a.deadline().due_at()) < TimeFromProto(b.deadline().due_at());
    });
    for (auto& clock : shown) *response->add_clocks() = std::move(clock);
    // The latest failure names the recipient (sealed): opened for the school; a listing across
    // schools for the provider carries it redacted (no breach's grant covers a whole listing).
    if (deps_.cipher != nullptr) deps_.cipher->OpenPersonalData(*response);
    if (principal.IsProvider()) service::RedactPersonalData(*response);
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------------------------
// Drafts.

absl::StatusOr<Draft> NotificationService::Prepare(const auth::Principal& principal,
                                                   const breach::v1::PrepareDraftRequest& request) {
  RETURN_IF_ERROR(CheckDraftableDuty(request.duty(), "duty"));
  if (request.previous_protocol().size() > 128) {
    return absl::InvalidArgumentError("previous_protocol is longer than 128 bytes");
  }
  ASSIGN_OR_RETURN(NotificationCase found, FindAuthorized(principal, request.breach_id(),
                                                          auth::Action::kPrepareDraft,
                                                          kPrepareMethod));
  absl::MutexLock lock(&deps_.breach_locks.For(CaseKey(found.breach_id())));
  ASSIGN_OR_RETURN(std::optional<NotificationCase> current, FindCase(deps_.store, found.breach_id()));
  found = *std::move(current);
  RETURN_IF_ERROR(CheckDutyRequired(found, request.duty()));
  ASSIGN_OR_RETURN(std::optional<breach::v1::SchoolProfile> school,
                   FindSchool(deps_.store, found.tenant(), deps_.cipher));
  ASSIGN_OR_RETURN(std::optional<Draft> latest,
                   FindDraft(deps_.store, found.breach_id(), request.duty(), 0));

  const DraftOrder order{request.duty(), request.phase(), request.previous_protocol(),
                         ActorOf(principal), deps_.clock.Now()};
  ASSIGN_OR_RETURN(Draft draft, ComposeDraft(Opened(found, deps_.cipher), school, latest,
                                             order, *deps_.templates, deps_.engine->zone()));

  StreamChange change{found.breach_id(), found.tenant(), {}, {}};
  RETURN_IF_ERROR(AddDraft(draft, change, deps_.cipher));
  RETURN_IF_ERROR(AppendChange(principal, "", std::move(change)));
  return draft;
}

grpc::Status NotificationService::PrepareDraft(grpc::ServerContext* context,
                                               const breach::v1::PrepareDraftRequest* request,
                                               Draft* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, Prepare(principal, *request));
    return gate_.Apply(principal, response->tenant(), response->breach_id(), *response);
  });
}

grpc::Status NotificationService::GetDraft(grpc::ServerContext* context,
                                           const breach::v1::GetDraftRequest* request,
                                           Draft* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(CheckDraftableDuty(request->duty(), "duty"));
    ASSIGN_OR_RETURN(NotificationCase found, FindAuthorized(principal, request->breach_id(),
                                                            auth::Action::kReadNotifications,
                                                            kGetDraftMethod));
    ASSIGN_OR_RETURN(std::optional<Draft> draft,
                     FindDraft(deps_.store, found.breach_id(), request->duty(),
                               request->draft_version()));
    if (!draft.has_value()) {
      return absl::NotFoundError(absl::StrCat("breach ", found.breach_id(), " has no ",
                                              DutyShortName(request->duty()), " draft",
                                              request->draft_version() > 0
                                                  ? absl::StrCat(" v", request->draft_version())
                                                  : std::string()));
    }
    // The read is recorded, durably, before the draft is handed out (who knew what, and when:
    // the register's knowledge shows who read which draft version).
    breach::v1::BreachViewed viewed;
    viewed.set_breach_id(found.breach_id());
    viewed.set_view("draft");
    viewed.set_duty(draft->duty());
    viewed.set_draft_version(draft->draft_version());
    const absl::Time now = deps_.clock.Now();
    breach::v1::EventEnvelope read = service::MakeEvent(
        {kServiceName, principal, kGetDraftMethod, found.breach_id()}, found.tenant(), now, viewed);
    if (deps_.cipher != nullptr) {  // the reader, sealed with the month's key
      RETURN_IF_ERROR(deps_.cipher->SealReader(*read.mutable_actor(), found.tenant(), now));
    }
    RETURN_IF_ERROR(reads_.Record(found.breach_id(), std::move(read)).status());
    if (deps_.on_append) deps_.on_append();
    *response = Opened(*std::move(draft), deps_.cipher);
    return gate_.Apply(principal, found.tenant(), found.breach_id(), *response);
  });
}

absl::StatusOr<Draft> NotificationService::Approve(const auth::Principal& principal,
                                                   const breach::v1::ApproveDraftRequest& request) {
  RETURN_IF_ERROR(CheckDraftableDuty(request.duty(), "duty"));
  ASSIGN_OR_RETURN(NotificationCase found, FindAuthorized(principal, request.breach_id(),
                                                          auth::Action::kApproveDraft,
                                                          kApproveMethod));
  // The controller answers for what it tells the Garante and the people: only the school's head
  // or DPO approves those. The processor's own notice is the provider's to approve.
  if (request.duty() != breach::v1::DUTY_KIND_CONTROLLER_NOTICE && principal.IsProvider()) {
    return absl::PermissionDeniedError(absl::StrCat(
        principal.subject, " may not approve a ", DutyShortName(request.duty()),
        " draft: the school's head or DPO approves it"));
  }
  absl::MutexLock lock(&deps_.breach_locks.For(CaseKey(found.breach_id())));
  ASSIGN_OR_RETURN(std::optional<Draft> draft, FindDraft(deps_.store, found.breach_id(),
                                                         request.duty(), request.draft_version()));
  if (!draft.has_value()) {
    return absl::NotFoundError(absl::StrCat("breach ", found.breach_id(), " has no ",
                                            DutyShortName(request.duty()), " draft v",
                                            request.draft_version()));
  }
  ASSIGN_OR_RETURN(std::optional<Draft> latest,
                   FindDraft(deps_.store, found.breach_id(), request.duty(), 0));
  if (latest->draft_version() != draft->draft_version()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "draft v", draft->draft_version(), " is not the latest (v", latest->draft_version(),
        "): approve the latest"));
  }
  if (draft->has_approved_by() && draft->sha256() == request.sha256()) {
    return Opened(*std::move(draft), deps_.cipher);  // a retry
  }
  ASSIGN_OR_RETURN(std::optional<breach::v1::DutyClock> clock,
                   service::ReadRow<breach::v1::DutyClock>(
                       deps_.store, ClockKey(found.breach_id(), request.duty())));
  RETURN_IF_ERROR(CheckApproval(*draft, request, clock, deps_.clock.Now()));
  *draft->mutable_approved_by() = ActorOf(principal);
  *draft->mutable_approved_at() = ProtoFromTime(deps_.clock.Now());
  draft->set_delay_reason(request.delay_reason());
  breach::v1::DraftApproved approved;
  approved.set_breach_id(found.breach_id());
  approved.set_duty(request.duty());
  approved.set_draft_version(draft->draft_version());
  approved.set_sha256(draft->sha256());
  approved.set_delay_reason(request.delay_reason());
  StreamChange change{found.breach_id(), found.tenant(), {}, {}};
  change.Emit(approved);
  ASSIGN_OR_RETURN(
      eventstore::ProjectionWrite row,
      SealedRow(DraftKey(draft->breach_id(), draft->duty(), draft->draft_version()), *draft,
                found.tenant(), deps_.cipher));
  change.rows.push_back(std::move(row));
  RETURN_IF_ERROR(AppendChange(principal, "", std::move(change)));
  return Opened(*std::move(draft), deps_.cipher);
}

grpc::Status NotificationService::ApproveDraft(grpc::ServerContext* context,
                                               const breach::v1::ApproveDraftRequest* request,
                                               Draft* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, Approve(principal, *request));
    return gate_.Apply(principal, response->tenant(), response->breach_id(), *response);
  });
}

// ---------------------------------------------------------------------------------------------
// Sending.

absl::StatusOr<std::vector<std::pair<breach::v1::Channel, breach::v1::Recipient>>>
NotificationService::RecipientsOf(const NotificationCase& c, breach::v1::DutyKind duty,
                                  const std::string& recipients_csv) {
  std::vector<std::pair<breach::v1::Channel, breach::v1::Recipient>> recipients;
  auto add = [&](breach::v1::Channel channel, const std::string& name, const std::string& address,
                 const std::string& language) {
    breach::v1::Recipient recipient;
    recipient.set_name(name);
    recipient.set_address(address);
    recipient.set_language(language);
    recipients.emplace_back(channel, std::move(recipient));
  };
  if (duty != breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION && !recipients_csv.empty()) {
    return absl::InvalidArgumentError(
        "recipients_csv is only for the communication to data subjects");
  }
  switch (duty) {
    case breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION:
      add(breach::v1::CHANNEL_PEC, "Garante per la protezione dei dati personali",
          deps_.channels.authority_address, "it");
      return recipients;
    case breach::v1::DUTY_KIND_CONTROLLER_NOTICE: {
      ASSIGN_OR_RETURN(std::optional<breach::v1::SchoolProfile> school,
                       FindSchool(deps_.store, c.tenant()));
      if (!school.has_value() || (school->pec().empty() && school->email().empty() &&
                                  school->webhook_url().empty())) {
        return absl::FailedPreconditionError(absl::StrCat(
            "school ", c.tenant(), " has no PEC, e-mail or webhook: breachctl school set ",
            c.tenant(), " -f school.json"));
      }
      if (!school->pec().empty()) add(breach::v1::CHANNEL_PEC, school->name(), school->pec(), "it");
      else if (!school->email().empty()) {
        add(breach::v1::CHANNEL_EMAIL, school->name(), school->email(), "it");
      }
      if (!school->webhook_url().empty()) {
        add(breach::v1::CHANNEL_WEBHOOK, school->name(), school->webhook_url(), "it");
      }
      return recipients;
    }
    case breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION: {
      const breach::v1::DutyDecision* decision = DecisionOf(c, duty);
      const bool public_notice =
          decision != nullptr &&
          (decision->exemption() == breach::v1::ART34_EXEMPTION_DISPROPORTIONATE_EFFORT ||
           decision->channel() == breach::v1::COMMUNICATION_CHANNEL_PUBLIC);
      if (public_notice) {
        if (!recipients_csv.empty()) {
          return absl::InvalidArgumentError(
              "recipients_csv: the art. 34(3)(c) exemption applies; the communication is a "
              "public notice (breachctl notify notice), not letters");
        }
        add(breach::v1::CHANNEL_PUBLIC_NOTICE, "public notice", "public-notice", "it");
        return recipients;
      }
      if (recipients_csv.empty()) {
        return absl::InvalidArgumentError(
            "recipients_csv is required: a CSV of name,email,language for the data subjects");
      }
      if (recipients_csv.size() > dispatch::kMaxRecipientsCsvBytes) {
        return absl::InvalidArgumentError(absl::StrCat("recipients_csv is ", recipients_csv.size(),
                                                       " bytes; the limit is ",
                                                       dispatch::kMaxRecipientsCsvBytes));
      }
      ASSIGN_OR_RETURN(std::vector<dispatch::RecipientRow> rows,
                       dispatch::ParseRecipientsCsv(recipients_csv, "it"));
      for (const auto& row : rows) add(breach::v1::CHANNEL_EMAIL, row.name, row.email, row.language);
      return recipients;
    }
    default:
      return CheckDraftableDuty(duty, "duty");
  }
}

absl::Status NotificationService::Send(const auth::Principal& principal,
                                       const breach::v1::SendNotificationRequest& request) {
  RETURN_IF_ERROR(CheckDraftableDuty(request.duty(), "duty"));
  RETURN_IF_ERROR(intake::ValidateRequestId(request.request_id()));
  ASSIGN_OR_RETURN(NotificationCase found, FindAuthorized(principal, request.breach_id(),
                                                          auth::Action::kSendNotification,
                                                          kSendMethod));
  service::IdempotentRequest idempotent(RequestKey(found.tenant(), request.request_id()),
                                        request.request_id(), request, principal.subject);
  absl::MutexLock request_lock(&request_locks_.For(idempotent.row_key()));
  ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.EarlierResult(deps_.store));
  if (earlier.has_value()) return absl::OkStatus();  // a faithful retry: the status as it is now
  absl::MutexLock lock(&deps_.breach_locks.For(CaseKey(found.breach_id())));
  ASSIGN_OR_RETURN(std::optional<Draft> draft,
                   FindDraft(deps_.store, found.breach_id(), request.duty(), 0));
  if (!draft.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat("breach ", found.breach_id(), " has no ",
                                                      DutyShortName(request.duty()),
                                                      " draft: prepare and approve one first"));
  }
  if (!draft->has_approved_by()) {
    return absl::FailedPreconditionError(absl::StrCat(
        DutyShortName(request.duty()), " draft v", draft->draft_version(),
        " is not approved: the school's head or DPO approves it first"));
  }
  ASSIGN_OR_RETURN(auto recipients, RecipientsOf(found, request.duty(), request.recipients_csv()));
  ASSIGN_OR_RETURN(std::vector<breach::v1::Delivery> existing,
                   ReadDeliveries(deps_.store, found.breach_id()));
  const absl::Time now = deps_.clock.Now();
  StreamChange change{found.breach_id(), found.tenant(), {}, {}};
  breach::v1::DispatchQueued queued;
  queued.set_breach_id(found.breach_id());
  queued.set_duty(request.duty());
  queued.set_draft_version(draft->draft_version());
  queued.set_delay_reason(draft->delay_reason());
  bool published = false;
  for (const auto& [channel, recipient] : recipients) {
    DeliveryPlan plan = PlanDeliveries(*draft, channel, {recipient}, existing,
                                       request.resend_unknown(), now);
    for (breach::v1::Delivery& delivery : plan.queued) {
      existing.push_back(delivery);
      ASSIGN_OR_RETURN(eventstore::ProjectionWrite row,
                       SealedRow(DeliveryKey(delivery.breach_id(), delivery.delivery_id()),
                                 delivery, found.tenant(), deps_.cipher));
      change.rows.push_back(std::move(row));
      if (delivery.status() == breach::v1::DELIVERY_STATUS_PUBLISHED) {
        published = true;
      } else {
        change.rows.push_back({DispatchKey(now, delivery.breach_id(), delivery.delivery_id()), ""});
      }
      *queued.add_deliveries() = std::move(delivery);
    }
  }
  change.rows.push_back(idempotent.Remember(absl::StrCat(queued.deliveries_size())));
  if (queued.deliveries_size() > 0) change.Emit(queued);
  if (published) {
    // A public notice is communicated when it is produced: the duty counts as submitted.
    ASSIGN_OR_RETURN(std::optional<breach::v1::DutyClock> clock,
                     service::ReadRow<breach::v1::DutyClock>(
                         deps_.store, ClockKey(found.breach_id(), request.duty())));
    ASSIGN_OR_RETURN(const bool first,
                     IsFirstAccepted(deps_.store, queued.deliveries(0), clock));
    if (first) {
      breach::v1::DutySubmitted submitted =
          SubmissionOf(queued.deliveries(0), clock, draft->delay_reason(), now);
      change.Emit(submitted);
      if (clock.has_value()) {
        ApplySubmitted(submitted, *clock);
        RETURN_IF_ERROR(AddClockTimers(deps_.store, *clock, change.rows));
        change.rows.push_back({ClockKey(found.breach_id(), request.duty()),
                               clock->SerializeAsString()});
      }
    }
  }
  if (change.empty()) {
    RETURN_IF_ERROR(deps_.store.WriteProjection(change.rows, /*sync=*/true));
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(AppendChange(principal, request.request_id(), std::move(change)));
  if (deps_.on_queued) deps_.on_queued();
  return absl::OkStatus();
}

grpc::Status NotificationService::SendNotification(
    grpc::ServerContext* context, const breach::v1::SendNotificationRequest* request,
    breach::v1::NotificationStatus* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(Send(principal, *request));
    ASSIGN_OR_RETURN(std::optional<NotificationCase> found,
                     FindCase(deps_.store, request->breach_id()));
    RETURN_IF_ERROR(FillStatus(*found, *response));
    return gate_.Apply(principal, found->tenant(), found->breach_id(), *response);
  });
}

// ---------------------------------------------------------------------------------------------
// Status and receipts.

absl::Status NotificationService::FillStatus(const NotificationCase& c,
                                             breach::v1::NotificationStatus& status) {
  status.set_breach_id(c.breach_id());
  status.set_tenant(c.tenant());
  const absl::Time now = deps_.clock.Now();
  ASSIGN_OR_RETURN(ClockMap clocks, ReadClocks(deps_.store, c.breach_id()));
  for (auto& [duty, clock] : clocks) {
    clock.mutable_deadline()->set_status(ClockStatusAt(clock, now));
    *status.add_clocks() = clock;
  }
  for (breach::v1::DutyKind duty :
       {breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION,
        breach::v1::DUTY_KIND_CONTROLLER_NOTICE}) {
    ASSIGN_OR_RETURN(std::optional<Draft> draft, FindDraft(deps_.store, c.breach_id(), duty, 0));
    if (draft.has_value()) *status.add_drafts() = *std::move(draft);
  }
  ASSIGN_OR_RETURN(std::vector<breach::v1::Delivery> deliveries,
                   ReadDeliveries(deps_.store, c.breach_id()));
  for (auto& delivery : deliveries) *status.add_deliveries() = std::move(delivery);
  ASSIGN_OR_RETURN(std::vector<breach::v1::Receipt> receipts,
                   service::ReadRows<breach::v1::Receipt>(deps_.store, ReceiptPrefix(c.breach_id())));
  for (auto& receipt : receipts) *status.add_receipts() = std::move(receipt);
  if (deps_.cipher != nullptr) deps_.cipher->OpenPersonalData(status);
  return absl::OkStatus();
}

grpc::Status NotificationService::GetNotificationStatus(
    grpc::ServerContext* context, const breach::v1::GetNotificationStatusRequest* request,
    breach::v1::NotificationStatus* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(NotificationCase found, FindAuthorized(principal, request->breach_id(),
                                                            auth::Action::kReadNotifications,
                                                            kStatusMethod));
    RETURN_IF_ERROR(FillStatus(found, *response));
    return gate_.Apply(principal, found.tenant(), found.breach_id(), *response);
  });
}

absl::StatusOr<breach::v1::Receipt> NotificationService::Receive(
    const auth::Principal& principal, const breach::v1::RecordReceiptRequest& request) {
  ASSIGN_OR_RETURN(NotificationCase found, FindAuthorized(principal, request.breach_id(),
                                                          auth::Action::kRecordReceipt,
                                                          kReceiptMethod));
  absl::MutexLock lock(&deps_.breach_locks.For(CaseKey(found.breach_id())));
  ASSIGN_OR_RETURN(std::optional<NotificationCase> current, FindCase(deps_.store, found.breach_id()));
  found = *std::move(current);
  ASSIGN_OR_RETURN(std::vector<breach::v1::Delivery> deliveries,
                   ReadDeliveries(deps_.store, found.breach_id()));
  RETURN_IF_ERROR(
      CheckReceipt(request, deliveries, deps_.clock.Now(), !found.incident_id().empty()));
  breach::v1::Receipt receipt;
  receipt.set_breach_id(found.breach_id());
  receipt.set_duty(request.duty());
  receipt.set_kind(request.kind());
  receipt.set_protocol_number(request.protocol_number());
  *receipt.mutable_received_at() = request.received_at();
  receipt.set_note(request.note());
  *receipt.mutable_recorded_by() = ActorOf(principal);
  breach::v1::ReceiptRecorded recorded;
  *recorded.mutable_receipt() = receipt;
  StreamChange change{found.breach_id(), found.tenant(), {}, {}};
  change.Emit(recorded);
  ASSIGN_OR_RETURN(eventstore::ProjectionWrite row,
                   SealedRow(ReceiptKey(receipt), receipt, found.tenant(), deps_.cipher));
  change.rows.push_back(std::move(row));
  // The school's acknowledgement of the processor's notice is its awareness when it had none:
  // its own 72 hours start there.
  if (request.kind() == breach::v1::RECEIPT_KIND_CONTROLLER_ACKNOWLEDGED && !found.has_aware_at()) {
    *found.mutable_aware_at() = request.received_at();
    if (found.report().verdict() == breach::v1::TRIAGE_VERDICT_UNSPECIFIED) {
      found.mutable_report()->set_verdict(breach::v1::TRIAGE_VERDICT_BREACH);
    }
    ASSIGN_OR_RETURN(ClockMap clocks, ReadClocks(deps_.store, found.breach_id()));
    const ClockPlan plan = PlanClocks(found, clocks, deps_.engine->regimes(),
                                      deps_.engine->zone(), "controller acknowledged");
    RETURN_IF_ERROR(AddClockPlan(deps_.store, found.tenant(), plan, clocks, change));
    change.rows.push_back({CaseKey(found.breach_id()), found.SerializeAsString()});
  }
  RETURN_IF_ERROR(AppendChange(principal, "", std::move(change)));
  if (deps_.on_timers_changed) deps_.on_timers_changed();
  return receipt;
}

grpc::Status NotificationService::RecordReceipt(grpc::ServerContext* context,
                                                const breach::v1::RecordReceiptRequest* request,
                                                breach::v1::Receipt* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, Receive(principal, *request));
    return absl::OkStatus();
  });
}

grpc::Status NotificationService::GetPublicNotice(grpc::ServerContext* context,
                                                  const breach::v1::GetPublicNoticeRequest* request,
                                                  breach::v1::PublicNotice* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(NotificationCase found, FindAuthorized(principal, request->breach_id(),
                                                            auth::Action::kReadNotifications,
                                                            kNoticeMethod));
    ASSIGN_OR_RETURN(std::optional<Draft> draft,
                     FindDraft(deps_.store, found.breach_id(),
                               breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION, 0));
    if (!draft.has_value() || !draft->has_approved_by()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "breach ", found.breach_id(), " has no approved communication to data subjects"));
    }
    ASSIGN_OR_RETURN(std::optional<breach::v1::SchoolProfile> school,
                     FindSchool(deps_.store, found.tenant(), deps_.cipher));
    response->set_breach_id(found.breach_id());
    response->set_draft_version(draft->draft_version());
    *draft = Opened(*std::move(draft), deps_.cipher);
    response->set_html(regulation::PublicNoticeHtml(
        {draft->documents().begin(), draft->documents().end()},
        school.has_value() ? &*school : nullptr));
    return gate_.Apply(principal, found.tenant(), found.breach_id(), *response);
  });
}

}  // namespace breachd::notification
