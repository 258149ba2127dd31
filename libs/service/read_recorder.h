// Records reads before they are answered ("every read is itself recorded"), with group commit:
// the reads that arrive while one synced write is under way are appended together by the next
// write, under one fsync, instead of one fsync each after the other.
//
// The guarantee is the same as an Append per read: Record returns only once the write holding
// its event is durable (synced), so no answer is given before its read record is on disk; if
// that write fails, every read in it gets the error and none is answered. What changes is the
// wait under concurrency: reads of one breach all append to its stream, which the store appends
// to one at a time (its chain), so N concurrent readers used to wait up to N fsyncs; now at most
// two (the write in progress, then theirs). A lone reader still waits for its own fsync.
//
// Leader/follower, no thread of its own: the first caller to find no write in progress writes
// everything queued (its own read included) and then wakes the others.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "breach/v1/envelope.pb.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/field_cipher.h"
#include "libs/service/event_factory.h"

namespace breachd::service {

// A read record (BreachViewed, BreachesListed, RegisterExported): MakeEvent with the reader
// sealed with the month key of `tenant` (FieldCipher::SealReader; docs/security.md).
absl::StatusOr<breach::v1::EventEnvelope> MakeReadRecord(const EventOrigin& origin,
                                                         const std::string& tenant,
                                                         absl::Time occurred_at,
                                                         const google::protobuf::Message& payload,
                                                         privacy::FieldCipher& cipher);

struct ReadRecorderCounters {
  uint64_t reads = 0;   // reads recorded
  uint64_t writes = 0;  // synced writes that recorded them
  uint64_t queued = 0;  // reads waiting now for the next write
};

class ReadRecorder {
 public:
  explicit ReadRecorder(eventstore::EventStore& store) : store_(store) {}

  // Appends `event` (a read: no expected version, published like any event) to `stream_id` and
  // returns it as stored, once durable.
  absl::StatusOr<breach::v1::EventEnvelope> Record(const std::string& stream_id,
                                                   breach::v1::EventEnvelope event);

  ReadRecorderCounters counters() const;

 private:
  struct Pending {
    std::string stream_id;
    breach::v1::EventEnvelope event;
    absl::StatusOr<breach::v1::EventEnvelope> stored = absl::UnknownError("not written");
    bool done = false;
  };
  // Appends `batch` in one write (one request per stream, in arrival order) and fills in each
  // read's outcome.
  void Write(std::deque<Pending*>& batch);

  eventstore::EventStore& store_;
  mutable absl::Mutex mu_;
  std::deque<Pending*> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  ReadRecorderCounters counters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace breachd::service
