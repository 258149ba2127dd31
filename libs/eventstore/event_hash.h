// The canonical bytes of an event and its place in the per-stream SHA-256 chain.
#pragma once

#include <string>

#include "breach/v1/envelope.pb.h"
#include "google/protobuf/message.h"

namespace breachd::eventstore {

// Deterministic protobuf serialization (map entries sorted), so equal messages give equal bytes.
std::string SerializeDeterministic(const google::protobuf::Message& message);

// 32 zero bytes: the prev_hash of a stream's first event.
const std::string& GenesisHash();

// ComputeEventHash is declared in event_store.h (part of the public contract).

}  // namespace breachd::eventstore
