// Internal plumbing shared by the relay, the consumer loop and the embedded broker: owning
// handles for librdkafka objects and building a configuration from BusConfig.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/bus/bus.h"

namespace breachd::bus {

struct KafkaConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
struct KafkaHandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct KafkaMessageDeleter {
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
};
struct KafkaPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
struct KafkaTopicDeleter {
  void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
};
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, KafkaConfDeleter>;
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDeleter>;
using KafkaTopicHandle = std::unique_ptr<rd_kafka_topic_t, KafkaTopicDeleter>;
using KafkaMessage = std::unique_ptr<rd_kafka_message_t, KafkaMessageDeleter>;
using KafkaPartitionList =
    std::unique_ptr<rd_kafka_topic_partition_list_t, KafkaPartitionListDeleter>;

using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

// Sends librdkafka's log lines to breachd's structured log (BuildKafkaConf installs it).
void RouteKafkaLog(const rd_kafka_t* rk, int level, const char* facility, const char* message);

// librdkafka's own account of a consumer offset reset (log facility "OFFSET"), parsed.
struct OffsetReset {
  std::string topic;
  int32_t partition = 0;
  int64_t lost_offset = 0;  // the position that was reset
  bool lost = false;        // the broker no longer had it (retention, truncation, new broker)
};
std::optional<OffsetReset> ParseOffsetReset(absl::string_view message);

// Sets `name`=`value` on `conf`; a property librdkafka rejects is INVALID_ARGUMENT naming it.
absl::Status SetKafkaProperty(rd_kafka_conf_t* conf, const std::string& name,
                              const std::string& value);

// A configuration with `defaults` first, then bootstrap.servers, then config.extra (so an
// operator can override any default). librdkafka's own logs are routed to breachd's log.
absl::StatusOr<KafkaConf> BuildKafkaConf(const BusConfig& config,
                                         const KafkaProperties& defaults);

// Creates a client of `type`; takes ownership of `conf` (also on failure).
absl::StatusOr<KafkaHandle> NewKafkaClient(rd_kafka_type_t type, KafkaConf conf);

// The status for a librdkafka error code, with `what` as context.
absl::Status KafkaError(rd_kafka_resp_err_t err, const std::string& what);

}  // namespace breachd::bus
