// What an attacker with write access to a closed store's database, but without its signing key,
// does to hide an edit: changes every event's payload, recomputes every hash and link, and
// rewrites the stream heads. The chains still verify; only a signed checkpoint tells.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "libs/common/status_macros.h"
#include "libs/eventstore/database.h"
#include "libs/eventstore/event_hash.h"
#include "libs/eventstore/storage_layout.h"

namespace breachd::eventstore::testing {

inline absl::Status RewriteStoreWholesale(const std::string& path,
                                          const std::string& new_payload = "a different story") {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> raw, Database::Open(path));
  std::unique_ptr<rocksdb::Iterator> events(
      raw->db()->NewIterator(rocksdb::ReadOptions(), raw->events()));
  std::map<std::string, layout::StreamHead> heads;  // stream -> its last rewritten event
  rocksdb::WriteBatch batch;
  for (events->SeekToFirst(); events->Valid(); events->Next()) {
    EventEnvelope event;
    if (!event.ParseFromString(events->value().ToString())) {
      return absl::DataLossError("an event does not parse");
    }
    event.mutable_payload()->set_value(new_payload);
    auto previous = heads.find(event.stream_id());
    event.set_prev_hash(previous == heads.end() ? GenesisHash() : previous->second.hash);
    event.clear_hash();
    event.set_hash(ComputeEventHash(event));
    heads[event.stream_id()] = {event.stream_version(), event.hash()};
    batch.Put(raw->events(), events->key(), SerializeDeterministic(event));
  }
  RETURN_IF_ERROR(FromRocksStatus(events->status(), "rewrite: read events"));
  events.reset();
  for (const auto& [stream, head] : heads) {
    batch.Put(raw->meta(), layout::StreamHeadKey(stream), layout::EncodeStreamHead(head));
  }
  return FromRocksStatus(raw->db()->Write(rocksdb::WriteOptions(), &batch), "rewrite: write");
}

}  // namespace breachd::eventstore::testing
