// The SIEM relay's Kafka sink: each record's ECS document as one line of JSON on
// breach.siem.v1, keyed by breach id, with an idempotent acks=all producer.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/bus/bus.h"
#include "libs/bus/kafka_client.h"
#include "libs/siem/siem_relay.h"

namespace breachd::siem {

class KafkaSink : public SiemSink {
 public:
  // Fails with INVALID_ARGUMENT on a bad configuration (the producer is created here).
  static absl::StatusOr<std::unique_ptr<KafkaSink>> Create(const bus::BusConfig& config,
                                                           std::string topic = bus::kSiemTopic);
  ~KafkaSink() override;

  std::string name() const override { return "kafka"; }
  size_t Deliver(const std::vector<SiemRecord>& records,
                 const std::atomic<bool>& stopping) override;

 private:
  KafkaSink(const bus::BusConfig& config, std::string topic)
      : config_(config), topic_(std::move(topic)) {}
  absl::StatusOr<bus::KafkaHandle> NewProducer();
  // Purges what is in flight (its reports say so) and drops the producer.
  void DropProducer();

  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);

  const bus::BusConfig config_;
  const std::string topic_;
  bus::KafkaHandle producer_;
  int in_flight_ = 0;
};

}  // namespace breachd::siem
