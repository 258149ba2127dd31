// Publishes a store's outbox to Kafka: the transactional-outbox relay.
//
// A background thread reads PendingOutbox in batches, produces each event (key = stream_id,
// so one breach's events stay ordered in one partition; value = the serialized
// EventEnvelope; CloudEvents binary-mode headers) with an idempotent, acks=all producer, waits
// for the batch's delivery reports and acks the delivered positions. Anything not acked is
// read again and resent, so delivery is at-least-once; consumers dedupe by event id.
// On a fatal producer error the producer is destroyed and recreated (librdkafka 2.0.2 can
// raise a fatal idempotence error after "possibly persisted" messages). An event the bus refuses
// for good (too large, invalid, not authorized) is parked in the source instead of being resent
// forever, so one bad event never holds up the others.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/bus/bus.h"
#include "libs/bus/kafka_client.h"

namespace breachd::bus {

struct OutboxRelayOptions {
  std::string topic = kBreachEventsTopic;
  size_t batch_size = 500;
  // How often the outbox is checked when nobody calls Notify().
  absl::Duration poll_interval = absl::Milliseconds(50);
  // How long Stop() waits for messages already handed to librdkafka.
  absl::Duration flush_timeout = absl::Seconds(5);
  // Back-off after an error reading the outbox or creating the producer.
  absl::Duration error_backoff = absl::Milliseconds(200);
};

// Monotonic counts since Start, for tests and metrics.
struct OutboxRelayCounters {
  uint64_t published = 0;     // events acknowledged by the broker and acked in the outbox
  uint64_t errors = 0;        // failed deliveries, outbox read/ack failures, producer failures
  uint64_t recreations = 0;   // producers replaced after a fatal error
  uint64_t parked = 0;        // events the bus refused for good, moved out of the outbox
};

class OutboxRelay {
 public:
  // Starts the relay thread. `source` must outlive the relay. Fails with INVALID_ARGUMENT on a
  // bad configuration (the producer is created once here to check it).
  static absl::StatusOr<std::unique_ptr<OutboxRelay>> Start(const BusConfig& config,
                                                            OutboxSource& source,
                                                            OutboxRelayOptions options = {});
  ~OutboxRelay();  // Stop()
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Wakes the relay now; call it right after an append so publication latency stays low.
  void Notify();
  // Publishes what is in flight (up to flush_timeout), then joins the thread. Idempotent.
  void Stop();

  OutboxRelayCounters counters() const;

 private:
  struct Delivery;
  OutboxRelay(const BusConfig& config, OutboxSource& source, OutboxRelayOptions options);

  absl::StatusOr<KafkaHandle> NewProducer();
  void Run();
  // Produces `events`, waits for their delivery reports, acks the delivered ones and parks the
  // ones the bus refused for good (IsPermanentMessageError), so they never block the rest.
  void PublishBatch(const std::vector<breach::v1::EventEnvelope>& events);
  // Hands one event to librdkafka; on success it is in flight and `delivery` gets its report.
  rd_kafka_resp_err_t Produce(const breach::v1::EventEnvelope& event, Delivery& delivery);
  // Moves a refused event out of the outbox and logs it; false (counted as an error) if the
  // store cannot, in which case it is tried again next round.
  bool Park(const breach::v1::EventEnvelope& event, rd_kafka_resp_err_t err);
  // Serves delivery reports until none are in flight, a fatal error, or Stop.
  void AwaitDeliveries();
  bool ProducerFailedFatally();
  // Purges whatever is in flight (its delivery reports mark it failed) and drops the producer.
  void DropProducer();
  // Sleeps until Notify, Stop or `timeout`.
  void Wait(absl::Duration timeout);
  bool stopping() const;

  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  const BusConfig config_;
  OutboxSource& source_;
  const OutboxRelayOptions options_;

  KafkaHandle producer_;  // relay thread only
  int in_flight_ = 0;     // relay thread only (delivery reports are served on it)

  mutable absl::Mutex mu_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> errors_{0};
  std::atomic<uint64_t> recreations_{0};
  std::atomic<uint64_t> parked_{0};

  std::thread thread_;
};

}  // namespace breachd::bus
