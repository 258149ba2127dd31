// What every fuzz target shares: the input as text, and a JSON-to-proto decode that behaves like
// the servers' and breachctl's (unknown fields refused).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "google/protobuf/util/json_util.h"

namespace breachd::fuzz {

inline std::string Text(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

template <typename Message>
bool FromJson(const std::string& json, Message& message) {
  return google::protobuf::util::JsonStringToMessage(json, &message).ok();
}

}  // namespace breachd::fuzz
