#include "libs/bus/outbox_relay.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/bus/cloudevents.h"
#include "libs/bus/delivery_errors.h"
#include "libs/common/log.h"

namespace breachd::bus {

// One produced message's fate, filled in by its delivery report.
struct OutboxRelay::Delivery {
  uint64_t position = 0;
  bool reported = false;
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
};

namespace {

// Owns a header list until librdkafka takes it.
struct HeadersDeleter {
  void operator()(rd_kafka_headers_t* headers) const { rd_kafka_headers_destroy(headers); }
};
using Headers = std::unique_ptr<rd_kafka_headers_t, HeadersDeleter>;

Headers ToKafkaHeaders(const MessageHeaders& headers) {
  Headers out(rd_kafka_headers_new(headers.size()));
  for (const auto& [name, value] : headers) {
    rd_kafka_header_add(out.get(), name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<OutboxRelay>> OutboxRelay::Start(const BusConfig& config,
                                                                OutboxSource& source,
                                                                OutboxRelayOptions options) {
  if (options.topic.empty()) return absl::InvalidArgumentError("topic: empty");
  if (options.batch_size == 0) return absl::InvalidArgumentError("batch_size: must be > 0");
  std::unique_ptr<OutboxRelay> relay(new OutboxRelay(config, source, std::move(options)));
  // Create the first producer here, so a bad property fails Start instead of being retried.
  auto producer = relay->NewProducer();
  if (!producer.ok()) return producer.status();
  relay->producer_ = std::move(producer).value();
  relay->thread_ = std::thread([r = relay.get()] { r->Run(); });
  return relay;
}

OutboxRelay::OutboxRelay(const BusConfig& config, OutboxSource& source,
                         OutboxRelayOptions options)
    : config_(config), source_(source), options_(std::move(options)) {}

OutboxRelay::~OutboxRelay() { Stop(); }

absl::StatusOr<KafkaHandle> OutboxRelay::NewProducer() {
  auto conf = BuildKafkaConf(config_, {
                                          {"client.id", "breachd-outbox-relay"},
                                          {"enable.idempotence", "true"},
                                          {"acks", "all"},
                                          {"linger.ms", "5"},
                                          // Explicit, so the API limits are checked against it.
                                          {"message.max.bytes",
                                           absl::StrCat(kProducerMessageMaxBytes)},
                                          // Same partition for a key as the Java client.
                                          {"partitioner", "murmur2_random"},
                                      });
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_opaque(conf->get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &OutboxRelay::OnDelivery);
  rd_kafka_conf_set_error_cb(conf->get(), &OutboxRelay::OnError);
  return NewKafkaClient(RD_KAFKA_PRODUCER, std::move(conf).value());
}

void OutboxRelay::Notify() {
  absl::MutexLock lock(&mu_);
  notified_ = true;
}

void OutboxRelay::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool OutboxRelay::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

OutboxRelayCounters OutboxRelay::counters() const {
  return {published_.load(), errors_.load(), recreations_.load(), parked_.load()};
}

void OutboxRelay::Wait(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return notified_ || stopping_; };
  mu_.AwaitWithTimeout(absl::Condition(&woken), timeout);
  notified_ = false;
}

void OutboxRelay::Run() {
  while (!stopping()) {
    if (producer_ == nullptr) {
      auto producer = NewProducer();
      if (!producer.ok()) {
        ++errors_;
        log::Error("outbox relay: cannot create producer",
                   {{"error", producer.status().ToString()}});
        Wait(options_.error_backoff);
        continue;
      }
      producer_ = std::move(producer).value();
      ++recreations_;
      log::Warn("outbox relay: producer recreated; unacknowledged events will be resent");
    }
    auto pending = source_.PendingOutbox(options_.batch_size);
    if (!pending.ok()) {
      ++errors_;
      log::Error("outbox relay: cannot read outbox", {{"error", pending.status().ToString()}});
      Wait(options_.error_backoff);
      continue;
    }
    if (pending->empty()) {
      // Serve stray callbacks (errors, statistics) while idle.
      rd_kafka_poll(producer_.get(), 0);
      Wait(options_.poll_interval);
      continue;
    }
    PublishBatch(*pending);
  }
  if (producer_ != nullptr) DropProducer();
}

rd_kafka_resp_err_t OutboxRelay::Produce(const breach::v1::EventEnvelope& event,
                                         Delivery& delivery) {
  const std::string value = event.SerializeAsString();
  Headers headers = ToKafkaHeaders(CloudEventHeaders(event));
  rd_kafka_resp_err_t err;
  while (true) {
    err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(options_.topic.c_str()),
        RD_KAFKA_V_KEY(event.stream_id().data(), event.stream_id().size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers.get()),
        RD_KAFKA_V_OPAQUE(&delivery), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
    rd_kafka_poll(producer_.get(), 50);  // make room by serving delivery reports
  }
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    headers.release();  // the message owns them now
    ++in_flight_;
  }
  return err;
}

void OutboxRelay::PublishBatch(const std::vector<breach::v1::EventEnvelope>& events) {
  // Stable addresses: each message's opaque points at its Delivery.
  std::vector<Delivery> deliveries(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    deliveries[i].position = events[i].position();
    const rd_kafka_resp_err_t err = Produce(events[i], deliveries[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    if (IsPermanentMessageError(err)) {
      // Refused before sending (larger than message.max.bytes): as final as a broker's refusal.
      deliveries[i].reported = true;
      deliveries[i].error = err;
      continue;
    }
    // Not queued (typically a fatal error): the rest of the batch waits for the next round.
    ++errors_;
    log::Error("outbox relay: produce failed", {{"error", rd_kafka_err2str(err)}});
    break;
  }

  AwaitDeliveries();
  if (ProducerFailedFatally() || stopping()) DropProducer();

  std::vector<uint64_t> delivered;
  size_t parked = 0;
  for (size_t i = 0; i < deliveries.size(); ++i) {
    const Delivery& delivery = deliveries[i];
    if (!delivery.reported) continue;
    if (delivery.error == RD_KAFKA_RESP_ERR_NO_ERROR) {
      delivered.push_back(delivery.position);
    } else if (IsPermanentMessageError(delivery.error)) {
      if (Park(events[i], delivery.error)) ++parked;  // a failure is counted by Park
    } else {
      ++errors_;
    }
  }
  if (delivered.size() + parked < deliveries.size()) {
    const auto failed = std::find_if(deliveries.begin(), deliveries.end(), [](const Delivery& d) {
      return d.reported && d.error != RD_KAFKA_RESP_ERR_NO_ERROR;
    });
    log::Warn("outbox relay: some events were not delivered and will be resent",
              {{"delivered", absl::StrCat(delivered.size())},
               {"parked", absl::StrCat(parked)},
               {"batch", absl::StrCat(deliveries.size())},
               {"first_error", failed == deliveries.end() ? "not produced"
                                                          : rd_kafka_err2str(failed->error)}});
  }
  if (delivered.empty()) {
    // A batch that was all parked made progress: the next one goes at once.
    if (parked == 0 && !stopping()) Wait(options_.error_backoff);
    return;
  }
  if (absl::Status status = source_.AckOutbox(delivered); !status.ok()) {
    // They stay pending and are sent again; consumers ignore the duplicates.
    ++errors_;
    log::Error("outbox relay: cannot ack outbox", {{"error", status.ToString()}});
    Wait(options_.error_backoff);
    return;
  }
  published_ += delivered.size();
}

bool OutboxRelay::Park(const breach::v1::EventEnvelope& event, rd_kafka_resp_err_t err) {
  const std::string reason = absl::StrCat(rd_kafka_err2name(err), ": ", rd_kafka_err2str(err));
  if (absl::Status status = source_.ParkOutbox(event.position(), reason); !status.ok()) {
    // It stays in the outbox and is tried (and parked) again next round.
    ++errors_;
    log::Error("outbox relay: cannot park a refused event",
               {{"event_id", event.event_id()},
                {"position", absl::StrCat(event.position())},
                {"reason", reason},
                {"error", status.ToString()}});
    return false;
  }
  ++parked_;
  log::Error("outbox relay: the bus refused an event for good; parked it, the rest flows on "
             "(breachctl admin parked list)",
             {{"event_id", event.event_id()},
              {"position", absl::StrCat(event.position())},
              {"stream_id", event.stream_id()},
              {"type", event.type()},
              {"reason", reason}});
  return true;
}

void OutboxRelay::AwaitDeliveries() {
  bool flushed = false;
  while (in_flight_ > 0) {
    if (ProducerFailedFatally()) return;
    if (stopping()) {
      if (flushed) return;
      rd_kafka_flush(producer_.get(), static_cast<int>(absl::ToInt64Milliseconds(
                                          options_.flush_timeout)));
      flushed = true;
      continue;
    }
    rd_kafka_poll(producer_.get(), 50);
  }
}

bool OutboxRelay::ProducerFailedFatally() {
  char reason[512];
  const rd_kafka_resp_err_t err = rd_kafka_fatal_error(producer_.get(), reason, sizeof(reason));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return false;
  log::Error("outbox relay: fatal producer error; recreating the producer",
             {{"error", rd_kafka_err2name(err)}, {"reason", reason}});
  return true;
}

void OutboxRelay::DropProducer() {
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  // Purged messages get delivery reports (ERR__PURGE_*); serve them before the Deliveries
  // they point at go away.
  for (int i = 0; in_flight_ > 0 && i < 100; ++i) rd_kafka_poll(producer_.get(), 10);
  if (in_flight_ > 0) {
    log::Error("outbox relay: delivery reports missing after purge",
               {{"in_flight", absl::StrCat(in_flight_)}});
  }
  producer_.reset();
  in_flight_ = 0;
}

void OutboxRelay::OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message,
                             void* opaque) {
  auto* relay = static_cast<OutboxRelay*>(opaque);
  auto* delivery = static_cast<Delivery*>(message->_private);
  delivery->reported = true;
  delivery->error = message->err;
  --relay->in_flight_;  // failures are logged once per batch by PublishBatch
}

void OutboxRelay::OnError(rd_kafka_t* rk, int err, const char* reason, void* /*opaque*/) {
  // Transient errors (broker down, all brokers down) are retried by librdkafka; fatal ones are
  // picked up by ProducerFailedFatally on the relay thread.
  log::Warn("outbox relay: kafka error",
            {{"error", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))},
             {"reason", reason}});
}

}  // namespace breachd::bus
