// A Kafka-protocol broker inside this process: librdkafka's mock cluster, listening on
// 127.0.0.1 so that other processes can use it too. It keeps topics in memory, so it is for
// development (--kafka=embedded, tools/devbus) and tests; production points bootstrap.servers
// at a real cluster. Tests use its fault injection to take brokers down and fail requests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/bus/bus.h"

namespace breachd::bus {

// Kafka protocol API keys that fault injection can target.
enum class KafkaApi : int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kOffsetCommit = 8,
  kOffsetFetch = 9,
  kFindCoordinator = 10,
  kJoinGroup = 11,
  kHeartbeat = 12,
  kInitProducerId = 22,
};

struct EmbeddedBrokerOptions {
  int brokers = 1;
  int events_partitions = 6;  // partitions of breach.events.v1
};

class EmbeddedBroker {
 public:
  // Starts the cluster and creates breach.events.v1 and breach.siem.v1.
  static absl::StatusOr<std::unique_ptr<EmbeddedBroker>> Start(
      const EmbeddedBrokerOptions& options = {});
  ~EmbeddedBroker();  // stops the cluster; connected clients see the brokers disappear
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  // "127.0.0.1:PORT[,127.0.0.1:PORT...]", for bootstrap.servers.
  const std::string& bootstrap_servers() const { return bootstrap_servers_; }
  // A BusConfig pointing at this broker.
  BusConfig Config() const;

  absl::Status CreateTopic(const std::string& topic, int partitions);

  // Fault injection. Broker ids are 1..brokers. A down broker drops its connections and
  // refuses new ones until it is set up again.
  absl::Status SetBrokerDown(int32_t broker_id = 1);
  absl::Status SetBrokerUp(int32_t broker_id = 1);
  // The next errors.size() requests of `api` (to any broker) fail with these errors, in order.
  void PushRequestErrors(KafkaApi api, const std::vector<rd_kafka_resp_err_t>& errors);
  void ClearRequestErrors(KafkaApi api);

 private:
  struct Cluster;
  explicit EmbeddedBroker(std::unique_ptr<Cluster> cluster);

  std::unique_ptr<Cluster> cluster_;
  std::string bootstrap_servers_;
};

}  // namespace breachd::bus
