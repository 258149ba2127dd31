#include "libs/common/log.h"

#include <cstdio>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace breachd::log {
namespace {

absl::Mutex mu;
std::string& Component() {
  static std::string component;
  return component;
}

void Write(std::string_view level, std::string_view message, Fields fields) {
  nlohmann::json line;
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = level;
  line["msg"] = message;
  absl::MutexLock lock(&mu);
  if (!Component().empty()) line["component"] = Component();
  for (const auto& [key, value] : fields) line[std::string(key)] = value;
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fprintf(stderr, "%s\n", text.c_str());
}

}  // namespace

void Info(std::string_view message, Fields fields) { Write("info", message, fields); }
void Warn(std::string_view message, Fields fields) { Write("warn", message, fields); }
void Error(std::string_view message, Fields fields) { Write("error", message, fields); }
void SetComponent(std::string component) {
  absl::MutexLock lock(&mu);
  Component() = std::move(component);
}

}  // namespace breachd::log
