// Structured JSON logs, one object per line on stderr:
//   {"ts":"2026-11-23T17:00:00.123Z","level":"info","msg":"server started","port":"50051"}
// Values are strings; keep personal data out of logs (they are not encrypted).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace breachd::log {

using Fields = std::initializer_list<std::pair<std::string_view, std::string>>;

void Info(std::string_view message, Fields fields = {});
void Warn(std::string_view message, Fields fields = {});
void Error(std::string_view message, Fields fields = {});

// Set once at start-up, e.g. to the service names this process hosts.
void SetComponent(std::string component);

}  // namespace breachd::log
