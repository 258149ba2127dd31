#include "libs/bus/embedded_broker.h"

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h must follow rdkafka.h.
#include <librdkafka/rdkafka_mock.h>

#include "absl/strings/str_cat.h"
#include "libs/bus/kafka_client.h"
#include "libs/common/log.h"

namespace breachd::bus {

// The cluster belongs to a client handle configured with test.mock.num.brokers and goes away
// with it. (rd_kafka_mock_cluster_new + rd_kafka_mock_cluster_destroy works too, but the
// destroy waits out a 1 s poll of the cluster thread, which adds up over a test suite.)
struct EmbeddedBroker::Cluster {
  KafkaHandle owner;
  rd_kafka_mock_cluster_t* mock = nullptr;  // owned by `owner`
};

absl::StatusOr<std::unique_ptr<EmbeddedBroker>> EmbeddedBroker::Start(
    const EmbeddedBrokerOptions& options) {
  if (options.brokers < 1) return absl::InvalidArgumentError("brokers: must be at least 1");
  if (options.events_partitions < 1) {
    return absl::InvalidArgumentError("events_partitions: must be at least 1");
  }
  // The owner handle only hosts the cluster; it produces nothing. Log level 3 hides the
  // "mock cluster enabled" notice.
  auto conf = BuildKafkaConf(BusConfig{}, {{"client.id", "embedded-broker"},
                                           {"log_level", "3"},
                                           {"test.mock.num.brokers", absl::StrCat(options.brokers)}});
  if (!conf.ok()) return conf.status();
  auto owner = NewKafkaClient(RD_KAFKA_PRODUCER, std::move(conf).value());
  if (!owner.ok()) return owner.status();

  auto cluster = std::make_unique<Cluster>();
  cluster->owner = std::move(owner).value();
  cluster->mock = rd_kafka_handle_mock_cluster(cluster->owner.get());
  if (cluster->mock == nullptr) {
    return absl::UnavailableError("embedded broker: could not start the mock cluster");
  }
  std::unique_ptr<EmbeddedBroker> broker(new EmbeddedBroker(std::move(cluster)));
  if (absl::Status s = broker->CreateTopic(kBreachEventsTopic, options.events_partitions);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = broker->CreateTopic(kSiemTopic, 1); !s.ok()) return s;
  log::Info("embedded kafka broker started", {{"bootstrap", broker->bootstrap_servers()}});
  return broker;
}

EmbeddedBroker::EmbeddedBroker(std::unique_ptr<Cluster> cluster)
    : cluster_(std::move(cluster)),
      bootstrap_servers_(rd_kafka_mock_cluster_bootstraps(cluster_->mock)) {}

EmbeddedBroker::~EmbeddedBroker() = default;

BusConfig EmbeddedBroker::Config() const {
  BusConfig config;
  config.bootstrap_servers = bootstrap_servers_;
  return config;
}

absl::Status EmbeddedBroker::CreateTopic(const std::string& topic, int partitions) {
  const rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(cluster_->mock, topic.c_str(), partitions, /*replication=*/1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(err, absl::StrCat("create topic ", topic));
  }
  return absl::OkStatus();
}

absl::Status EmbeddedBroker::SetBrokerDown(int32_t broker_id) {
  const rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_down(cluster_->mock, broker_id);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(err, absl::StrCat("set broker ", broker_id, " down"));
  }
  return absl::OkStatus();
}

absl::Status EmbeddedBroker::SetBrokerUp(int32_t broker_id) {
  const rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_up(cluster_->mock, broker_id);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(err, absl::StrCat("set broker ", broker_id, " up"));
  }
  return absl::OkStatus();
}

void EmbeddedBroker::PushRequestErrors(KafkaApi api,
                                       const std::vector<rd_kafka_resp_err_t>& errors) {
  rd_kafka_mock_push_request_errors_array(cluster_->mock, static_cast<int16_t>(api),
                                          errors.size(), errors.data());
}

void EmbeddedBroker::ClearRequestErrors(KafkaApi api) {
  rd_kafka_mock_clear_request_errors(cluster_->mock, static_cast<int16_t>(api));
}

}  // namespace breachd::bus
