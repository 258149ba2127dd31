#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/bus/bus.h"
#include "libs/bus/kafka_client.h"

namespace breachd::bus {

absl::StatusOr<BusSettings> ParseBusFlag(std::string_view kafka,
                                         const std::vector<std::string>& properties) {
  BusSettings settings;
  // Debian's Abseil has its own string_view type.
  const std::string servers(absl::StripAsciiWhitespace(absl::string_view(kafka.data(), kafka.size())));
  if (servers.empty()) {
    return absl::InvalidArgumentError(
        "kafka: empty; use \"embedded\" or a bootstrap.servers list (host:port,...)");
  }
  if (servers == kEmbeddedKafka) {
    settings.embedded = true;
  } else {
    settings.config.bootstrap_servers = servers;
  }
  // Check every property against librdkafka now, so a typo fails at start-up, not later.
  KafkaConf probe(rd_kafka_conf_new());
  for (const std::string& entry : properties) {
    const size_t eq = entry.find('=');
    const std::string name(absl::StripAsciiWhitespace(entry.substr(0, eq)));
    if (eq == std::string::npos || name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("kafka_property \"", entry, "\": expected key=value"));
    }
    const std::string value = entry.substr(eq + 1);
    if (absl::Status status = SetKafkaProperty(probe.get(), name, value); !status.ok()) {
      return status;
    }
    settings.config.extra[name] = value;
  }
  return settings;
}

}  // namespace breachd::bus
