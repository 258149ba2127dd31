// The dispatch outbox: sends every queued delivery, one attempt at a time, recording the attempt
// durably before the first byte goes out (DeliveryAttempted) and the outcome after
// (DeliverySent / DeliveryFailed). A crash in between leaves the delivery "sending"; on start it
// becomes "outcome unknown", never silently sent twice: e-mail waits for an operator's resend
// (`breachctl notify send --resend-unknown`), a webhook is queued again because its receiver
// deduplicates on the Idempotency-Key. Retryable failures come back after the policy's back-off.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/clock.h"
#include "libs/common/striped_mutex.h"
#include "libs/common/wake_signal.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/field_cipher.h"
#include "services/notification/channel_sender.h"

namespace breachd::notification {

// Whether `delivery`, just accepted, is the first of its duty (the duty counts as submitted):
// its clock not met yet, or, without a clock, no other delivery of the duty accepted.
absl::StatusOr<bool> IsFirstAccepted(eventstore::EventStore& store,
                                     const breach::v1::Delivery& delivery,
                                     const std::optional<breach::v1::DutyClock>& clock);

class Dispatcher {
 public:
  // `on_append` wakes the relay after every append; `cipher` opens what is sent (the draft, the
  // recipient, the school's people), which stays sealed in the rows (nullptr: sent as stored).
  Dispatcher(eventstore::EventStore& store, StripedMutex<>& breach_locks, const Clock& clock,
             std::unique_ptr<ChannelSender> sender, std::function<void()> on_append,
             privacy::FieldCipher* cipher = nullptr);
  ~Dispatcher();

  // Deliveries caught mid-attempt by a stop become "outcome unknown" (webhooks: queued again).
  absl::Status Recover();
  // Runs attempts on a thread until Stop().
  void Start();
  void Stop();
  // Something was queued: look now rather than at the next poll.
  void Poke();

  // Attempts every delivery due at `now`, in due order; returns how many it attempted.
  absl::StatusOr<size_t> RunDue(absl::Time now);

 private:
  absl::Status Attempt(const std::string& breach_id, const std::string& delivery_id,
                       const std::string& dispatch_key);
  absl::Status RecordOutcome(const std::string& breach_id, const std::string& delivery_id,
                             uint32_t attempt, const absl::StatusOr<std::string>& answer);
  void Loop();

  eventstore::EventStore& store_;
  StripedMutex<>& breach_locks_;
  const Clock& clock_;
  std::unique_ptr<ChannelSender> sender_;
  std::function<void()> on_append_;
  privacy::FieldCipher* cipher_;

  WakeSignal wake_;
  std::thread thread_;
  absl::Time next_send_ = absl::InfinitePast();  // rate limit (real time), dispatcher thread only
};

}  // namespace breachd::notification
