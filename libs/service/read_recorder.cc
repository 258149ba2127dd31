#include "libs/service/read_recorder.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace breachd::service {

absl::StatusOr<breach::v1::EventEnvelope> MakeReadRecord(const EventOrigin& origin,
                                                         const std::string& tenant,
                                                         absl::Time occurred_at,
                                                         const google::protobuf::Message& payload,
                                                         privacy::FieldCipher& cipher) {
  breach::v1::EventEnvelope event = MakeEvent(origin, tenant, occurred_at, payload);
  if (absl::Status sealed = cipher.SealReader(*event.mutable_actor(), tenant, occurred_at);
      !sealed.ok()) {
    return sealed;
  }
  return event;
}

absl::StatusOr<breach::v1::EventEnvelope> ReadRecorder::Record(const std::string& stream_id,
                                                               breach::v1::EventEnvelope event) {
  Pending mine{stream_id, std::move(event)};
  absl::MutexLock lock(&mu_);
  queue_.push_back(&mine);
  while (!mine.done) {
    if (!writing_) {
      // Lead: write everything queued so far, ours included, under one fsync.
      writing_ = true;
      std::deque<Pending*> batch;
      batch.swap(queue_);
      mu_.Unlock();
      Write(batch);
      mu_.Lock();
      ++counters_.writes;
      counters_.reads += batch.size();
      for (Pending* pending : batch) pending->done = true;
      writing_ = false;
      continue;  // ours was in the batch: done
    }
    // Follow: wait until a write has taken ours and finished, or no write is in progress.
    auto woken = [this, &mine]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return mine.done || !writing_;
    };
    mu_.Await(absl::Condition(&woken));
  }
  return std::move(mine.stored);
}

void ReadRecorder::Write(std::deque<Pending*>& batch) {
  // One request per stream, streams in id order (as AppendAcrossStreams answers), each stream's
  // reads in arrival order.
  std::map<std::string, std::vector<Pending*>> by_stream;
  for (Pending* pending : batch) by_stream[pending->stream_id].push_back(pending);
  std::vector<eventstore::AppendRequest> requests;
  for (auto& [stream_id, reads] : by_stream) {
    eventstore::AppendRequest& request = requests.emplace_back();
    request.stream_id = stream_id;
    for (Pending* read : reads) request.events.push_back(std::move(read->event));
  }
  absl::StatusOr<std::vector<eventstore::AppendResult>> results;
  if (requests.size() == 1) {
    absl::StatusOr<eventstore::AppendResult> result = store_.Append(std::move(requests.front()));
    if (result.ok()) {
      results = std::vector<eventstore::AppendResult>{*std::move(result)};
    } else {
      results = result.status();
    }
  } else {
    results = store_.AppendAcrossStreams(std::move(requests));
  }
  size_t stream = 0;
  for (auto& [stream_id, reads] : by_stream) {
    for (size_t i = 0; i < reads.size(); ++i) {
      if (!results.ok()) {
        reads[i]->stored = results.status();
      } else if (i < (*results)[stream].events.size()) {
        reads[i]->stored = std::move((*results)[stream].events[i]);
      } else {
        reads[i]->stored = absl::InternalError("the store returned fewer events than appended");
      }
    }
    ++stream;
  }
}

ReadRecorderCounters ReadRecorder::counters() const {
  absl::MutexLock lock(&mu_);
  ReadRecorderCounters counters = counters_;
  counters.queued = queue_.size();
  return counters;
}

}  // namespace breachd::service
