#include "libs/eventstore/write_gate.h"

#include "absl/strings/str_cat.h"
#include "libs/common/log.h"
#include "libs/eventstore/database.h"

namespace breachd::eventstore {

WriteGate::WriteGate(rocksdb::DB& db, const Clock& clock, absl::Duration resume_backoff)
    : db_(db), clock_(clock), resume_backoff_(resume_backoff) {}

absl::Status WriteGate::Check() {
  absl::MutexLock lock(&mu_);
  if (!refused_) return absl::OkStatus();
  const absl::Time now = clock_.Now();
  if (now >= next_resume_) {
    next_resume_ = now + resume_backoff_;
    // OK at once when the database was not stopped after all (the failure was a one-off).
    const rocksdb::Status resumed = db_.Resume();
    if (resumed.ok()) {
      log::Info("event store takes writes again",
                {{"refused_for", absl::FormatDuration(now - refused_since_)}});
      refused_ = false;
      return absl::OkStatus();
    }
    // Busy: RocksDB's own recovery (it polls for free disk space) is under way; keep the cause.
    if (!resumed.IsBusy()) cause_ = FromRocksStatus(resumed, "resume writes");
  }
  return absl::UnavailableError(absl::StrCat("event store refuses writes since ",
                                             absl::FormatTime(refused_since_), " (",
                                             cause_.message(), "); it retries every ",
                                             absl::FormatDuration(resume_backoff_)));
}

absl::Status WriteGate::Observe(const rocksdb::Status& written, absl::string_view what) {
  absl::Status status = FromRocksStatus(written, what);
  if (!written.IsIOError()) return status;
  absl::MutexLock lock(&mu_);
  if (!refused_) {
    refused_ = true;
    refused_since_ = clock_.Now();
    next_resume_ = refused_since_;  // a one-off failure resumes on the very next write
    log::Error("event store write failed; writes are refused until RocksDB resumes",
               {{"error", status.ToString()}});
  }
  cause_ = status;
  return status;
}

}  // namespace breachd::eventstore
