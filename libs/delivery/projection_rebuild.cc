#include "libs/delivery/projection_rebuild.h"

#include <algorithm>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"

namespace breachd::delivery {
namespace {

using breach::v1::EventEnvelope;

// Consumed markers per staged write: large batches, few calls.
constexpr size_t kMarkersPerWrite = 20'000;

// Every key under `prefix` sorts before this (keys are text, never 0xff bytes).
std::string PastPrefix(const std::string& prefix) { return prefix + std::string(8, '\xff'); }

}  // namespace

// One rebuild: its fold, its staged generation and how far it read each source.
class ProjectionRebuild::Pass {
 public:
  Pass(ProjectionRebuild& owner, const Progress& progress)
      : owner_(owner), progress_(progress), fold_(owner.new_fold_()), started_(absl::Now()) {
    report_.set_service(owner.service_);
  }

  absl::Status Run() {
    if (fold_ == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat("the ", owner_.service_,
                                                        " has no projection to rebuild"));
    }
    RETURN_IF_ERROR(ReadParked());
    for (const auto& row : owner_.subscription_.Status()) {
      report_.set_events_expected(report_.events_expected() + row.source_head());
    }
    readers_ = owner_.subscription_.NewReaders();
    ASSIGN_OR_RETURN(generation_, owner_.store_.StageProjection());
    report_.set_generation(generation_);
    absl::Status built = Build();
    if (!built.ok()) {
      // The old generation serves on; the half-built one goes (or at the next open, if this fails).
      absl::Status discarded = owner_.store_.DiscardStagedProjection(generation_);
      if (!discarded.ok()) {
        log::Warn("a failed rebuild's staged projection is dropped at the next start",
                  {{"error", discarded.ToString()}});
      }
      return built;
    }
    Report("done");
    return absl::OkStatus();
  }

 private:
  absl::Status Build() {
    // Bounded memory: a history larger than the fold may hold goes in several passes, each
    // reading every source (to the heads the first reached) and folding one share of the keys.
    const uint64_t budget = std::max<uint64_t>(1, owner_.events_in_memory_);
    passes_ = fold_->CanShare() ? std::max<uint64_t>(1, (report_.events_expected() + budget - 1) /
                                                            budget)
                                : 1;
    if (passes_ > 1) {
      log::Info("rebuilding in passes, one share of the keys each",
                {{"service", owner_.service_},
                 {"passes", absl::StrCat(passes_)},
                 {"events_expected", absl::StrCat(report_.events_expected())}});
    }
    for (uint64_t share = 0; share < passes_; ++share) {
      if (passes_ > 1) fold_->Restrict(service::FoldShare::OneOf(share, passes_));
      Report("reading");
      if (share == 0) {
        RETURN_IF_ERROR(ReadSources(Span::FromLastRead()));
      } else {
        RETURN_IF_ERROR(ReadSources(Span::AgainThrough(read_through_)));
      }
      Report("writing");
      RETURN_IF_ERROR(WriteRows());
    }
    // Most of what arrived while folding, without holding the live consumer up.
    Report("catching-up");
    RETURN_IF_ERROR(CatchUp());
    // The bulk on disk now, so that the swap under the lock has only the last rows to flush.
    RETURN_IF_ERROR(owner_.store_.FlushStagedProjection(generation_));
    return owner_.subscription_.Exclusively([&]() -> absl::Status {
      // Nothing is applied to the old generation from here on: what it holds is in the sources
      // below their heads now.
      RETURN_IF_ERROR(CatchUp());
      RETURN_IF_ERROR(ReadParked());
      RETURN_IF_ERROR(CarryOver());
      Report("swapping");
      RETURN_IF_ERROR(owner_.store_.SwapProjection(generation_));
      log::Info("projection rebuilt and swapped in",
                {{"service", owner_.service_},
                 {"generation", absl::StrCat(generation_)},
                 {"passes", absl::StrCat(passes_)},
                 {"events", absl::StrCat(report_.events_read())},
                 {"rows", absl::StrCat(report_.rows_written())}});
      return absl::OkStatus();
    });
  }

  // What arrived since the last read, folded with every earlier event of what it touched. In one
  // pass the fold still holds those; in several it holds one share, so the sources are read again
  // from the start for the keys the arrivals touched (few: a rebuild's worth of arrivals).
  absl::Status CatchUp() {
    if (passes_ == 1) {
      RETURN_IF_ERROR(ReadSources(Span::FromLastRead()));
      return WriteRows();
    }
    const std::map<std::string, uint64_t> before = read_through_;
    absl::flat_hash_set<std::string> touched;
    bool arrived = false;
    RETURN_IF_ERROR(ReadEach(Span::FromLastRead(), [&](const std::string&,
                                                       const EventEnvelope& event) {
      arrived = true;
      for (std::string& key : fold_->KeysOf(event)) touched.insert(std::move(key));
      return absl::OkStatus();
    }));
    if (!arrived) return absl::OkStatus();
    fold_->Restrict(service::FoldShare::Keys(std::move(touched)));
    Span again = Span::AgainThrough(read_through_);
    again.mark_after = before;
    RETURN_IF_ERROR(ReadSources(again));
    return WriteRows();
  }

  // Events a consumer parked are carried over as parked, not folded (as the live one did).
  absl::Status ReadParked() {
    return owner_.store_.ScanProjection(
        ParkedKey(""), "", [&](const std::string& key, const std::string&) {
          parked_.insert(key.substr(ParkedKey("").size()));
          return true;
        });
  }

  // Which events of each source a read takes.
  struct Span {
    bool again = false;                        // from the first event, else after read_through_
    std::map<std::string, uint64_t> through;   // again: up to these positions only
    std::map<std::string, uint64_t> mark_after;  // marked consumed only past these (default 0)

    static Span FromLastRead() { return Span{}; }
    static Span AgainThrough(const std::map<std::string, uint64_t>& heads) {
      Span span;
      span.again = true;
      span.through = heads;
      return span;
    }
  };

  // Every event of `span` but the parked, to `take`. A read after read_through_ moves it to the
  // head reached; a read again leaves it.
  absl::Status ReadEach(const Span& span,
                        const std::function<absl::Status(const std::string& source,
                                                         const EventEnvelope&)>& take) {
    for (auto& [name, reader] : readers_) {
      uint64_t& last = read_through_[name];
      const auto limit = span.through.find(name);
      const uint64_t through = limit == span.through.end() ? 0 : limit->second;
      uint64_t after = span.again ? 0 : last;
      if (span.again && through == 0) continue;  // nothing of it was read the first time
      ASSIGN_OR_RETURN(
          uint64_t head,
          reader->ReadAfter(after, [&](const std::vector<const EventEnvelope*>& events,
                                       uint64_t read_through) -> absl::Status {
            size_t fresh = 0;
            for (const EventEnvelope* event : events) {
              if (span.again && event->position() > through) continue;
              ++fresh;
              if (parked_.contains(event->event_id())) continue;
              RETURN_IF_ERROR(take(name, *event));
            }
            after = read_through;
            if (!span.again) {
              last = read_through;
              report_.set_events_read(report_.events_read() + fresh);
            }
            if (markers_.size() >= kMarkersPerWrite) RETURN_IF_ERROR(WriteMarkers());
            Report(report_.phase());
            return absl::OkStatus();
          }));
      if (!span.again) last = std::max(last, head);
    }
    return WriteMarkers();
  }

  // The events of `span` into the fold; those it takes marked consumed in the staged generation.
  absl::Status ReadSources(const Span& span) {
    return ReadEach(span, [&](const std::string& source, const EventEnvelope& event) -> absl::Status {
      ASSIGN_OR_RETURN(bool consumed, fold_->Add(event));
      const auto mark_after = span.mark_after.find(source);
      if (consumed && (mark_after == span.mark_after.end() ||
                       event.position() > mark_after->second)) {
        markers_.push_back(event.event_id());
      }
      return absl::OkStatus();
    });
  }

  absl::Status WriteMarkers() {
    if (markers_.empty()) return absl::OkStatus();
    absl::Status written =
        owner_.store_.WriteStagedProjection(generation_, {}, std::exchange(markers_, {}));
    return written;
  }

  absl::Status WriteRows() {
    return fold_->TakeRows([&](std::vector<eventstore::ProjectionWrite> rows) {
      const size_t written = rows.size();
      RETURN_IF_ERROR(owner_.store_.WriteStagedProjection(generation_, std::move(rows), {}));
      absl::MutexLock lock(&report_mu_);
      report_.set_rows_written(report_.rows_written() + written);
      ReportLocked(report_.phase());
      return absl::OkStatus();
    });
  }

  // The serving generation's rows the fold does not write, as they are now; parked events stay
  // consumed.
  absl::Status CarryOver() {
    std::vector<std::string> folded = fold_->FoldedPrefixes();
    std::sort(folded.begin(), folded.end());
    std::vector<eventstore::ProjectionWrite> rows;
    std::string after;
    absl::Status scanned;
    // Everything but the folded prefixes, skipped by seeking past each.
    for (bool more = true; more && scanned.ok();) {
      more = false;
      std::string skip;
      scanned = owner_.store_.ScanProjection(
          "", after, [&](const std::string& key, const std::string& value) {
            for (const std::string& prefix : folded) {
              if (key.rfind(prefix, 0) == 0) {
                skip = prefix;
                return false;
              }
            }
            rows.push_back({key, value});
            after = key;
            return true;
          });
      if (!skip.empty()) {
        after = PastPrefix(skip);
        more = true;
      }
    }
    RETURN_IF_ERROR(scanned);
    std::vector<std::string> parked(parked_.begin(), parked_.end());
    return owner_.store_.WriteStagedProjection(generation_, std::move(rows), std::move(parked));
  }

  void Report(const std::string& phase) {
    absl::MutexLock lock(&report_mu_);
    ReportLocked(phase);
  }
  void ReportLocked(const std::string& phase) ABSL_EXCLUSIVE_LOCKS_REQUIRED(report_mu_) {
    report_.set_phase(phase);
    report_.set_seconds(absl::ToDoubleSeconds(absl::Now() - started_));
    if (progress_) progress_(report_);
  }

  ProjectionRebuild& owner_;
  const Progress& progress_;
  std::unique_ptr<service::ProjectionFold> fold_;
  const absl::Time started_;
  std::map<std::string, std::unique_ptr<SourceReader>> readers_;
  std::map<std::string, uint64_t> read_through_;  // by source: read up to here
  uint64_t passes_ = 1;
  absl::flat_hash_set<std::string> parked_;
  std::vector<std::string> markers_;
  uint64_t generation_ = 0;
  absl::Mutex report_mu_;
  breach::v1::RebuildProgress report_;
};

absl::Status ProjectionRebuild::Run(const Progress& progress) {
  if (running_.exchange(true)) {
    return absl::FailedPreconditionError(
        absl::StrCat("a rebuild of the ", service_, " is already running"));
  }
  absl::Cleanup done = [this] { running_ = false; };
  Pass pass(*this, progress);
  return pass.Run();
}

}  // namespace breachd::delivery
