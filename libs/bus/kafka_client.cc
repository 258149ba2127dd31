#include "libs/bus/kafka_client.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/log.h"

namespace breachd::bus {

// librdkafka syslog levels: 0..3 error, 4 warning, 5..7 notice/info/debug.
void RouteKafkaLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  log::Fields fields = {{"client", rd_kafka_name(rk)}, {"facility", facility}};
  if (level <= 3) {
    log::Error(message, fields);
  } else if (level == 4) {
    log::Warn(message, fields);
  } else {
    log::Info(message, fields);
  }
}

std::optional<OffsetReset> ParseOffsetReset(absl::string_view message) {
  // rdkafka_offset.c: "%s [%d]: offset reset (at offset %s, broker %d) to %s%s: %s: %s"
  constexpr absl::string_view kReset = "]: offset reset (at offset ";
  // Lines logged from a librdkafka thread start with "[thrd:NAME]: ".
  if (absl::StartsWith(message, "[thrd:")) {
    const size_t end = message.find("]: ");
    if (end == absl::string_view::npos) return std::nullopt;
    message.remove_prefix(end + 3);
  }
  const size_t bracket = message.find(" [");
  const size_t reset = message.find(kReset);
  if (bracket == absl::string_view::npos || reset == absl::string_view::npos || reset < bracket) {
    return std::nullopt;
  }
  OffsetReset parsed;
  parsed.topic = std::string(message.substr(0, bracket));
  if (!absl::SimpleAtoi(message.substr(bracket + 2, reset - bracket - 2), &parsed.partition)) {
    return std::nullopt;
  }
  const size_t offset_start = reset + kReset.size();
  const size_t comma = message.find(',', offset_start);
  if (comma == absl::string_view::npos ||
      !absl::SimpleAtoi(message.substr(offset_start, comma - offset_start), &parsed.lost_offset)) {
    return std::nullopt;
  }
  parsed.lost = absl::StrContains(message, "not available on the broker");
  return parsed;
}

absl::Status SetKafkaProperty(rd_kafka_conf_t* conf, const std::string& name,
                              const std::string& value) {
  char error[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof(error)) !=
      RD_KAFKA_CONF_OK) {
    return absl::InvalidArgumentError(absl::StrCat("kafka property ", name, ": ", error));
  }
  return absl::OkStatus();
}

absl::StatusOr<KafkaConf> BuildKafkaConf(const BusConfig& config,
                                         const KafkaProperties& defaults) {
  KafkaConf conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), RouteKafkaLog);
  for (const auto& [name, value] : defaults) {
    if (absl::Status status = SetKafkaProperty(conf.get(), name, value); !status.ok()) {
      return status;
    }
  }
  if (!config.bootstrap_servers.empty()) {
    if (absl::Status status =
            SetKafkaProperty(conf.get(), "bootstrap.servers", config.bootstrap_servers);
        !status.ok()) {
      return status;
    }
  }
  for (const auto& [name, value] : config.extra) {
    if (absl::Status status = SetKafkaProperty(conf.get(), name, value); !status.ok()) {
      return status;
    }
  }
  return conf;
}

absl::StatusOr<KafkaHandle> NewKafkaClient(rd_kafka_type_t type, KafkaConf conf) {
  char error[512];
  // rd_kafka_new takes the conf only on success.
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), error, sizeof(error));
  if (rk == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("kafka client: ", error));
  }
  conf.release();
  return KafkaHandle(rk);
}

absl::Status KafkaError(rd_kafka_resp_err_t err, const std::string& what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", rd_kafka_err2str(err)));
}

}  // namespace breachd::bus
