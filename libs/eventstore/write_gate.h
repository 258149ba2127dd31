// Whether RocksDB takes writes. After a WAL or manifest I/O error (a full disk) RocksDB enters a
// background-error state: it refuses every write, keeps serving reads, and stays so until
// DB::Resume() succeeds. The gate remembers the refusal and calls Resume() again, at most once per
// back-off, so writing comes back without a restart once the cause is gone.
#pragma once

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "rocksdb/db.h"

namespace breachd::eventstore {

class WriteGate {
 public:
  // `db` and `clock` are not owned.
  WriteGate(rocksdb::DB& db, const Clock& clock, absl::Duration resume_backoff);

  // OK while writes are accepted. After a refusal: tries DB::Resume() once the back-off has
  // passed, and returns UNAVAILABLE naming the cause as long as writes stay refused.
  absl::Status Check();
  // Records a write's outcome and maps it to a status (see FromRocksStatus). Any I/O failure may
  // have stopped the database, so the next Check asks RocksDB to resume.
  absl::Status Observe(const rocksdb::Status& written, absl::string_view what);

 private:
  rocksdb::DB& db_;
  const Clock& clock_;
  const absl::Duration resume_backoff_;

  absl::Mutex mu_;
  bool refused_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status cause_ ABSL_GUARDED_BY(mu_);
  absl::Time refused_since_ ABSL_GUARDED_BY(mu_);
  absl::Time next_resume_ ABSL_GUARDED_BY(mu_);
};

}  // namespace breachd::eventstore
