#include "services/notification/dispatcher.h"

#include "absl/strings/str_cat.h"
#include "libs/common/log.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/dispatch/reply_code.h"
#include "libs/dispatch/webhook.h"
#include "libs/service/projection_rows.h"
#include "services/notification/message_content.h"
#include "services/notification/notification_decisions.h"
#include "services/notification/notification_schema.h"
#include "services/notification/stream_change.h"

namespace breachd::notification {
namespace {

constexpr size_t kAttemptsPerPass = 64;
constexpr absl::Duration kPollInterval = absl::Milliseconds(200);

bool Waiting(const breach::v1::Delivery& delivery) {
  return delivery.status() == breach::v1::DELIVERY_STATUS_QUEUED ||
         delivery.status() == breach::v1::DELIVERY_STATUS_RETRYING;
}

}  // namespace

absl::StatusOr<bool> IsFirstAccepted(eventstore::EventStore& store,
                                     const breach::v1::Delivery& delivery,
                                     const std::optional<breach::v1::DutyClock>& clock) {
  if (clock.has_value()) {
    return clock->deadline().status() != breach::v1::DEADLINE_STATUS_MET &&
           clock->deadline().status() != breach::v1::DEADLINE_STATUS_LATE;
  }
  ASSIGN_OR_RETURN(std::vector<breach::v1::Delivery> all,
                   ReadDeliveries(store, delivery.breach_id()));
  for (const auto& other : all) {
    if (other.duty() == delivery.duty() && other.delivery_id() != delivery.delivery_id() &&
        (other.status() == breach::v1::DELIVERY_STATUS_SENT ||
         other.status() == breach::v1::DELIVERY_STATUS_PUBLISHED)) {
      return false;
    }
  }
  return true;
}

Dispatcher::Dispatcher(eventstore::EventStore& store, StripedMutex<>& breach_locks,
                       const Clock& clock, std::unique_ptr<ChannelSender> sender,
                       std::function<void()> on_append, privacy::FieldCipher* cipher)
    : store_(store),
      breach_locks_(breach_locks),
      clock_(clock),
      sender_(std::move(sender)),
      on_append_(std::move(on_append)),
      cipher_(cipher) {}

Dispatcher::~Dispatcher() { Stop(); }

absl::Status Dispatcher::Recover() {
  ASSIGN_OR_RETURN(std::vector<breach::v1::Delivery> all,
                   service::ReadRows<breach::v1::Delivery>(store_, "delivery/"));
  for (breach::v1::Delivery& delivery : all) {
    if (delivery.status() != breach::v1::DELIVERY_STATUS_SENDING) continue;
    absl::MutexLock lock(&breach_locks_.For(CaseKey(delivery.breach_id())));
    const absl::Time now = clock_.Now();
    StreamChange change{delivery.breach_id(), delivery.tenant(), {}, {}};
    breach::v1::DeliveryOutcomeUnknown unknown;
    unknown.set_breach_id(delivery.breach_id());
    unknown.set_delivery_id(delivery.delivery_id());
    unknown.set_attempt(delivery.attempts());
    change.Emit(unknown);
    delivery.set_status(breach::v1::DELIVERY_STATUS_OUTCOME_UNKNOWN);
    delivery.set_last_answer("the service stopped during the attempt: the message may have been sent");
    if (delivery.channel() == breach::v1::CHANNEL_WEBHOOK) {
      // The receiver deduplicates on the Idempotency-Key: sending again is safe.
      breach::v1::DispatchQueued again;
      again.set_breach_id(delivery.breach_id());
      again.set_duty(delivery.duty());
      again.set_draft_version(delivery.draft_version());
      delivery.set_status(breach::v1::DELIVERY_STATUS_QUEUED);
      delivery.set_resend_after_unknown(true);
      *delivery.mutable_next_attempt_at() = ProtoFromTime(now);
      *again.add_deliveries() = delivery;
      change.Emit(again);
      change.rows.push_back(
          {DispatchKey(now, delivery.breach_id(), delivery.delivery_id()), ""});
    }
    change.rows.push_back({DeliveryKey(delivery.breach_id(), delivery.delivery_id()),
                           delivery.SerializeAsString()});
    RETURN_IF_ERROR(store_.Append(ToAppend(change, SystemPrincipal(), "dispatch-recovery", now))
                        .status());
    log::Warn("notification: a delivery was cut by a stop; its outcome is unknown",
              {{"breach_id", delivery.breach_id()}, {"delivery_id", delivery.delivery_id()}});
  }
  if (on_append_) on_append_();
  return absl::OkStatus();
}

void Dispatcher::Start() {
  wake_.Restart(/*poked=*/false);
  thread_ = std::thread([this] { Loop(); });
}

void Dispatcher::Stop() {
  wake_.Stop();
  if (thread_.joinable()) thread_.join();
}

void Dispatcher::Poke() { wake_.Poke(); }

void Dispatcher::Loop() {
  // Poll: the next due time is in the clock's time, which a test may move.
  while (wake_.WaitForWork(kPollInterval)) {
    absl::StatusOr<size_t> attempted = RunDue(clock_.Now());
    if (!attempted.ok()) {
      log::Error("notification: dispatch pass failed; retrying",
                 {{"error", attempted.status().ToString()}});
    }
  }
}

absl::StatusOr<size_t> Dispatcher::RunDue(absl::Time now) {
  ASSIGN_OR_RETURN(std::vector<DispatchEntry> due, DueDispatches(store_, now, kAttemptsPerPass));
  size_t attempted = 0;
  for (const DispatchEntry& entry : due) {
    if (wake_.stopped()) break;
    // The rate limit to the mail server is in real time, whatever clock the service runs on.
    const double rate = sender_->settings().messages_per_second;
    const absl::Time real_now = absl::Now();
    if (next_send_ > real_now) absl::SleepFor(next_send_ - real_now);
    next_send_ = std::max(next_send_, real_now) + absl::Seconds(1.0 / rate);
    RETURN_IF_ERROR(Attempt(entry.breach_id, entry.delivery_id, entry.key));
    ++attempted;
  }
  return attempted;
}

absl::Status Dispatcher::Attempt(const std::string& breach_id, const std::string& delivery_id,
                                 const std::string& dispatch_key) {
  breach::v1::Delivery delivery;
  breach::v1::Draft draft;
  std::optional<breach::v1::SchoolProfile> school;
  {
    absl::MutexLock lock(&breach_locks_.For(CaseKey(breach_id)));
    ASSIGN_OR_RETURN(std::optional<breach::v1::Delivery> found,
                     service::ReadRow<breach::v1::Delivery>(store_, DeliveryKey(breach_id, delivery_id)));
    if (!found.has_value() || !Waiting(*found)) {
      // Nothing to send (already handled): just drop the queue entry.
      return store_.WriteProjection({{dispatch_key, "", true}}, /*sync=*/true);
    }
    delivery = *std::move(found);
    ASSIGN_OR_RETURN(std::optional<breach::v1::Draft> approved,
                     FindDraft(store_, breach_id, delivery.duty(), delivery.draft_version()));
    if (!approved.has_value()) {
      return absl::DataLossError(absl::StrCat("delivery ", delivery_id, " names draft v",
                                              delivery.draft_version(), ", which is not stored"));
    }
    draft = *std::move(approved);
    ASSIGN_OR_RETURN(school, FindSchool(store_, delivery.tenant(), cipher_));

    // Durable before the first byte: a crash from here on is an unknown outcome, not a resend.
    delivery.set_status(breach::v1::DELIVERY_STATUS_SENDING);
    delivery.set_attempts(delivery.attempts() + 1);
    StreamChange change{breach_id, delivery.tenant(), {}, {}};
    breach::v1::DeliveryAttempted attempted;
    attempted.set_breach_id(breach_id);
    attempted.set_delivery_id(delivery_id);
    attempted.set_attempt(delivery.attempts());
    change.Emit(attempted);
    change.rows = {{DeliveryKey(breach_id, delivery_id), delivery.SerializeAsString()},
                   {dispatch_key, "", true}};
    RETURN_IF_ERROR(
        store_.Append(ToAppend(change, SystemPrincipal(), delivery_id, clock_.Now())).status());
  }
  if (on_append_) on_append_();
  // Opened for the message only: the rows keep the sealed draft and recipient.
  const breach::v1::Delivery to = Opened(delivery, cipher_);
  absl::StatusOr<MessageContent> content =
      ComposeMessage(Opened(draft, cipher_), to, school.has_value() ? &*school : nullptr);
  absl::StatusOr<std::string> answer =
      content.ok() ? sender_->Send(to, *content, clock_.Now()) : content.status();
  return RecordOutcome(breach_id, delivery_id, delivery.attempts(), answer);
}

absl::Status Dispatcher::RecordOutcome(const std::string& breach_id,
                                       const std::string& delivery_id, uint32_t attempt,
                                       const absl::StatusOr<std::string>& answer) {
  absl::MutexLock lock(&breach_locks_.For(CaseKey(breach_id)));
  ASSIGN_OR_RETURN(std::optional<breach::v1::Delivery> found,
                   service::ReadRow<breach::v1::Delivery>(store_, DeliveryKey(breach_id, delivery_id)));
  if (!found.has_value()) return absl::DataLossError(absl::StrCat("delivery ", delivery_id, " vanished"));
  breach::v1::Delivery& delivery = *found;
  const absl::Time now = clock_.Now();
  StreamChange change{breach_id, delivery.tenant(), {}, {}};
  ASSIGN_OR_RETURN(std::optional<breach::v1::DutyClock> clock,
                   service::ReadRow<breach::v1::DutyClock>(store_, ClockKey(breach_id, delivery.duty())));
  if (answer.ok()) {
    breach::v1::DeliverySent sent;
    sent.set_breach_id(breach_id);
    sent.set_delivery_id(delivery_id);
    sent.set_attempt(attempt);
    sent.set_answer(*answer);
    sent.set_duty(delivery.duty());
    change.Emit(sent);
    delivery.set_status(breach::v1::DELIVERY_STATUS_SENT);
    delivery.set_last_answer(*answer);
    *delivery.mutable_sent_at() = ProtoFromTime(now);
    ASSIGN_OR_RETURN(const bool first, IsFirstAccepted(store_, delivery, clock));
    if (first) {
      ASSIGN_OR_RETURN(std::optional<breach::v1::Draft> draft,
                       FindDraft(store_, breach_id, delivery.duty(), delivery.draft_version()));
      breach::v1::DutySubmitted submitted =
          SubmissionOf(delivery, clock, draft.has_value() ? draft->delay_reason() : "", now);
      change.Emit(submitted);
      if (clock.has_value()) {
        ApplySubmitted(submitted, *clock);
        RETURN_IF_ERROR(AddClockTimers(store_, *clock, change.rows));
        change.rows.push_back({ClockKey(breach_id, delivery.duty()), clock->SerializeAsString()});
      }
    }
  } else {
    const std::optional<absl::Duration> backoff =
        dispatch::IsRetryable(answer.status())
            ? dispatch::NextBackoff(sender_->settings().retry, static_cast<int>(attempt))
            : std::nullopt;
    breach::v1::DeliveryFailed failed;
    failed.set_breach_id(breach_id);
    failed.set_delivery_id(delivery_id);
    failed.set_attempt(attempt);
    failed.set_answer(std::string(answer.status().message()));
    failed.set_final(!backoff.has_value());
    failed.set_duty(delivery.duty());
    delivery.set_last_answer(failed.answer());
    if (backoff.has_value()) {
      const absl::Time next = now + *backoff;
      *failed.mutable_next_attempt_at() = ProtoFromTime(next);
      *delivery.mutable_next_attempt_at() = ProtoFromTime(next);
      delivery.set_status(breach::v1::DELIVERY_STATUS_RETRYING);
      change.rows.push_back({DispatchKey(next, breach_id, delivery_id), ""});
    } else {
      delivery.set_status(breach::v1::DELIVERY_STATUS_FAILED);
    }
    change.Emit(failed);
    if (clock.has_value()) {
      // The clock keeps running; the failure shows in `deadline list` and `notify status`.
      clock->set_last_failure(absl::StrCat(Opened(delivery.recipient(), cipher_).address(), ": ",
                                           failed.answer()));
      ASSIGN_OR_RETURN(eventstore::ProjectionWrite row,
                       SealedRow(ClockKey(breach_id, delivery.duty()), *clock, delivery.tenant(),
                                 cipher_));
      change.rows.push_back(std::move(row));
    }
    // The status and reply code, not the answer's text: it may quote the recipient's address,
    // and logs are not sealed (the text is in the sealed event and row).
    log::Warn("notification: a delivery failed",
              {{"breach_id", breach_id}, {"delivery_id", delivery_id},
               {"final", failed.final() ? "true" : "false"},
               {"failure", dispatch::LoggableFailure(answer.status())}});
  }
  ASSIGN_OR_RETURN(eventstore::ProjectionWrite row,
                   SealedRow(DeliveryKey(breach_id, delivery_id), delivery, delivery.tenant(),
                             cipher_));
  change.rows.push_back(std::move(row));
  RETURN_IF_ERROR(SealEvents(change, cipher_));  // the server's answer may quote the address
  RETURN_IF_ERROR(store_.Append(ToAppend(change, SystemPrincipal(), delivery_id, now)).status());
  if (on_append_) on_append_();
  return absl::OkStatus();
}

}  // namespace breachd::notification
