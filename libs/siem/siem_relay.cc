#include "libs/siem/siem_relay.h"

#include <future>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "libs/common/files.h"
#include "libs/common/log.h"
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

absl::StatusOr<std::vector<SiemRecord>> SiemRelay::ReadBatch(uint64_t after) const {
  std::vector<SiemRecord> records;
  absl::Status read = store_.ReadAll(
      after + 1, [&](const breach::v1::EventEnvelope& event) -> absl::StatusOr<bool> {
        absl::StatusOr<EcsLine> line = ToEcsLine(event);
        if (!line.ok()) return line.status();
        records.push_back({event.position(), std::move(line->key), std::move(line->json)});
        return records.size() < options_.batch_size;
      });
  if (!read.ok()) return read;
  return records;
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
  // The next batch, read and built on a helper thread while the sink delivers this one.
  absl::StatusOr<std::vector<SiemRecord>> prefetched = std::vector<SiemRecord>();
  uint64_t prefetched_after = 0;
  while (!stopping_) {
    absl::StatusOr<std::vector<SiemRecord>> records =
        prefetched.ok() && !prefetched->empty() && prefetched_after == position_
            ? std::move(prefetched)
            : ReadBatch(position_);
    prefetched = std::vector<SiemRecord>();
    if (!records.ok()) {
      fail("cannot read the store", records.status());
      continue;
    }
    if (records->empty()) {
      SaveCheckpoint();  // idle: the file catches up
      Wait(options_.poll_interval);
      continue;
    }
    prefetched_after = records->back().position;
    std::future<absl::StatusOr<std::vector<SiemRecord>>> next =
        std::async(std::launch::async, [this, after = prefetched_after] { return ReadBatch(after); });
    const size_t delivered = sink_->Deliver(*records, stopping_);
    prefetched = next.get();
    if (delivered > 0) {
      position_ = (*records)[delivered - 1].position;
      checkpoint_position_ = position_;
      published_ += delivered;
      if (absl::Now() - last_save >= options_.checkpoint_interval) {
        SaveCheckpoint();
        last_save = absl::Now();
      }
    }
    if (delivered < records->size()) {
      if (stopping_) break;
      fail("the sink did not take every event; offering the rest again",
           absl::UnavailableError(absl::StrCat(delivered, " of ", records->size(), " delivered")));
      continue;
    }
    backoff = options_.error_backoff;
  }
  SaveCheckpoint();
}

}  // namespace breachd::siem
