#include "libs/siem/siem_relay.h"

#include <algorithm>
#include <future>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "libs/common/files.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/siem/ecs_document.h"

namespace breachd::siem {

absl::StatusOr<uint64_t> SiemCheckpoint::Load() const {
  absl::StatusOr<std::string> contents = ReadWholeFile(path_);
  if (absl::IsNotFound(contents.status())) return 0;
  if (!contents.ok()) return contents.status();
  uint64_t position = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(*contents), &position)) {
    return absl::DataLossError(absl::StrCat("SIEM checkpoint ", path_, " is not a position"));
  }
  return position;
}

absl::Status SiemCheckpoint::Save(uint64_t position) const {
  return WriteFileAtomically(path_, absl::StrCat(position, "\n"), 0644);
}

absl::StatusOr<std::unique_ptr<SiemRelay>> SiemRelay::Start(eventstore::EventStore& store,
                                                            std::unique_ptr<SiemSink> sink,
                                                            SiemCheckpoint checkpoint,
                                                            SiemRelayOptions options) {
  if (options.batch_size == 0) return absl::InvalidArgumentError("batch_size: must be > 0");
  absl::StatusOr<uint64_t> position = checkpoint.Load();
  if (!position.ok()) return position.status();
  std::unique_ptr<SiemRelay> relay(new SiemRelay(store, std::move(sink), std::move(checkpoint),
                                                 std::move(options), *position));
  relay->thread_ = std::thread([r = relay.get()] { r->Run(); });
  return relay;
}

SiemRelay::SiemRelay(eventstore::EventStore& store, std::unique_ptr<SiemSink> sink,
                     SiemCheckpoint checkpoint, SiemRelayOptions options, uint64_t position)
    : store_(store),
      sink_(std::move(sink)),
      sink_name_(sink_->name()),
      checkpoint_(std::move(checkpoint)),
      options_(std::move(options)),
      position_(position),
      saved_(position) {
  size_t threads = options_.build_threads;
  if (threads == 0) threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  builders_ = std::make_unique<WorkPool>(threads);
  checkpoint_position_ = position;
}

SiemRelay::~SiemRelay() { Stop(); }

void SiemRelay::Notify() {
  absl::MutexLock lock(&mu_);
  notified_ = true;
}

void SiemRelay::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

SiemRelayCounters SiemRelay::counters() const {
  return {published_.load(), errors_.load(), checkpoint_position_.load()};
}

void SiemRelay::Wait(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return notified_ || stopping_; };
  mu_.AwaitWithTimeout(absl::Condition(&woken), timeout);
  notified_ = false;
}

absl::Status SiemRelay::ReadBatch(uint64_t after, std::vector<SiemRecord>& records) {
  // The batch is a range of positions that are all in the store already (LastPosition), so each
  // builder reads its own part of it and no event is missed between two parts.
  const uint64_t last = std::min(store_.LastPosition(), after + options_.batch_size);
  if (last <= after) {
    records.clear();
    return absl::OkStatus();
  }
  const size_t count = last - after;
  records.resize(count);  // the records of the batch before keep their strings' capacity
  for (SiemRecord& record : records) record.position = 0;
  // Parts of at least 500 events: smaller ones cost more to hand out than they save.
  const size_t parts = std::clamp<size_t>(count / 500, 1, builders_->threads());
  RETURN_IF_ERROR(builders_->Run(parts, [&](size_t part) -> absl::Status {
    const uint64_t first = after + 1 + part * count / parts;
    const uint64_t end = after + (part + 1) * count / parts;  // inclusive
    return store_.ReadAll(first, [&](const breach::v1::EventEnvelope& event) -> absl::StatusOr<bool> {
      if (event.position() > end) return false;
      SiemRecord& record = records[event.position() - after - 1];
      RETURN_IF_ERROR(WriteEcsLine(event, record.key, record.json));
      record.position = event.position();
      return event.position() < end;
    });
  }));
  // A position no event holds (an append that failed after taking it) leaves an empty slot.
  std::erase_if(records, [](const SiemRecord& record) { return record.position == 0; });
  return absl::OkStatus();
}

bool SiemRelay::SaveCheckpoint() {
  if (position_ == saved_) return true;
  if (absl::Status saved = checkpoint_.Save(position_); !saved.ok()) {
    // Delivered but not remembered: after a restart it is sent again, which consumers dedupe.
    ++errors_;
    log::Error(absl::StrCat("siem relay (", sink_name_, "): cannot write the checkpoint"),
               {{"position", absl::StrCat(position_)}, {"error", saved.ToString()}});
    return false;
  }
  saved_ = position_;
  return true;
}

void SiemRelay::Run() {
  const std::string relay = absl::StrCat("siem relay (", sink_name_, ")");
  absl::Time last_save = absl::Now();
  absl::Duration backoff = options_.error_backoff;
  auto fail = [&](const std::string& what, const absl::Status& status) {
    ++errors_;
    log::Error(absl::StrCat(relay, ": ", what),
               {{"position", absl::StrCat(position_)}, {"error", status.ToString()}});
    Wait(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  };
  // The next batch, read and built on a helper thread while the sink delivers this one; both
  // vectors are kept from batch to batch so their strings are reused.
  std::vector<SiemRecord> records;
  std::vector<SiemRecord> prefetched;
  bool have_prefetched = false;
  uint64_t prefetched_after = 0;
  while (!stopping_) {
    if (have_prefetched && prefetched_after == position_) {
      std::swap(records, prefetched);
    } else if (absl::Status read = ReadBatch(position_, records); !read.ok()) {
      have_prefetched = false;
      fail("cannot read the store", read);
      continue;
    }
    have_prefetched = false;
    if (records.empty()) {
      SaveCheckpoint();  // idle: the file catches up
      Wait(options_.poll_interval);
      continue;
    }
    prefetched_after = records.back().position;
    std::future<absl::Status> next = std::async(
        std::launch::async, [this, &prefetched, after = prefetched_after] {
          return ReadBatch(after, prefetched);
        });
    const size_t delivered = sink_->Deliver(records, stopping_);
    // A failed read is read again (and reported) at the top of the loop.
    have_prefetched = next.get().ok() && !prefetched.empty();
    if (delivered > 0) {
      position_ = records[delivered - 1].position;
      checkpoint_position_ = position_;
      published_ += delivered;
      if (absl::Now() - last_save >= options_.checkpoint_interval) {
        SaveCheckpoint();
        last_save = absl::Now();
      }
    }
    if (delivered < records.size()) {
      if (stopping_) break;
      fail("the sink did not take every event; offering the rest again",
           absl::UnavailableError(absl::StrCat(delivered, " of ", records.size(), " delivered")));
      continue;
    }
    backoff = options_.error_backoff;
  }
  SaveCheckpoint();
}

}  // namespace breachd::siem
