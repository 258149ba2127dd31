// The RocksDB database behind an event store: opening it with every column family, reading an
// event back, and turning RocksDB statuses into absl ones. Tests use it to reach the raw bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "breach/v1/envelope.pb.h"
#include "libs/eventstore/event_store.h"
#include "libs/eventstore/staged_tables.h"
#include "rocksdb/db.h"

namespace breachd::eventstore {

class Database {
 public:
  // Opens (creating if needed) the database in `path` with the column families of storage_layout.h.
  // `env` (not owned) replaces RocksDB's default environment; tests inject faults through it.
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& path,
                                                        rocksdb::Env* env = nullptr);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* events() const { return handles_[0]; }
  rocksdb::ColumnFamilyHandle* stream_index() const { return handles_[1]; }
  rocksdb::ColumnFamilyHandle* event_ids() const { return handles_[2]; }
  rocksdb::ColumnFamilyHandle* outbox() const { return handles_[3]; }
  // The serving projection generation's rows and consumed markers (see "Projection
  // generations" below). A swap changes them: a caller that must see one generation across
  // several calls holds off swaps itself (the register's rebuild swaps under its consumer's lock).
  rocksdb::ColumnFamilyHandle* projections() const {
    absl::MutexLock lock(&generation_mu_);
    return serving_.projections;
  }
  rocksdb::ColumnFamilyHandle* consumed() const {
    absl::MutexLock lock(&generation_mu_);
    return serving_.consumed;
  }
  rocksdb::ColumnFamilyHandle* meta() const { return handles_[6]; }
  rocksdb::ColumnFamilyHandle* parked() const { return handles_[7]; }

  // Projection generations: a projection can be rebuilt beside the serving one, into a staged
  // generation (its own pair of column families, "projections.g<N>" and "consumed.g<N>"), then
  // swapped in by one synced write of the serving generation's number to meta
  // (layout::kProjectionGenerationKey). Generation 0 is the "projections"/"consumed" pair. At
  // open every generation but the serving one is dropped: a rebuild cut by a crash is discarded.
  // A staged generation is written as sorted table files ingested whole (StagedTables, in
  // `<path>/staged-tables`, emptied at open), and compacts nothing until it is swapped in.
  uint64_t serving_generation() const {
    absl::MutexLock lock(&generation_mu_);
    return serving_.number;
  }
  // Creates an empty staged generation (dropping an earlier staged one) and returns its number.
  absl::StatusOr<uint64_t> StageGeneration();
  // The staged generation's families; FAILED_PRECONDITION unless `number` is the staged one.
  struct Generation {
    uint64_t number = 0;
    rocksdb::ColumnFamilyHandle* projections = nullptr;
    rocksdb::ColumnFamilyHandle* consumed = nullptr;
    std::shared_ptr<StagedTables> tables;  // a staged generation's write path
  };
  absl::StatusOr<Generation> Staged(uint64_t number) const;
  // Adds rows and consumed markers to the staged generation `number` (StagedTables::Add).
  absl::Status WriteStaged(uint64_t number, std::vector<ProjectionWrite> rows,
                           std::vector<std::string> consumed_event_ids);
  // Writes what the staged generation holds to disk (synced table files): what a swap needs.
  absl::Status FlushGeneration(uint64_t number);
  // Flushes the staged generation `number`, records it as the serving one in one synced write,
  // serves it, and drops the generation served before.
  absl::Status SwapGeneration(uint64_t number);
  // Drops the staged generation `number` (a rebuild that failed).
  absl::Status DiscardGeneration(uint64_t number);

  // Point lookup; nullopt when the key is absent.
  absl::StatusOr<std::optional<std::string>> Get(
      rocksdb::ColumnFamilyHandle* family, std::string_view key,
      const rocksdb::ReadOptions& options = rocksdb::ReadOptions()) const;
  // The event stored at `position`; nullopt when absent, DATA_LOSS when its bytes do not parse.
  absl::StatusOr<std::optional<breach::v1::EventEnvelope>> ReadEventAt(
      uint64_t position, const rocksdb::ReadOptions& options = rocksdb::ReadOptions()) const;
  // The highest position stored (0 when empty), or the position floor minus one when a restore
  // set a floor above it: positions handed out before the restore are never handed out again.
  absl::StatusOr<uint64_t> LastStoredPosition() const;

 private:
  Database(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
           rocksdb::ColumnFamilyHandle* default_handle, std::string path);
  // At open: serves the generation recorded in meta, drops every other one.
  absl::Status SettleGenerations(std::vector<rocksdb::ColumnFamilyHandle*> generation_handles);
  absl::StatusOr<Generation> CreateGeneration(uint64_t number);
  // Drops a generation's families; their handles stay valid (reads in flight finish) until close.
  absl::Status DropGeneration(const Generation& generation)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(generation_mu_);

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // in layout::ColumnFamilyNames() order
  rocksdb::ColumnFamilyHandle* default_handle_;
  const std::string staged_tables_dir_;
  std::shared_ptr<rocksdb::Cache> cache_;

  mutable absl::Mutex generation_mu_;
  Generation serving_ ABSL_GUARDED_BY(generation_mu_);
  std::optional<Generation> staged_ ABSL_GUARDED_BY(generation_mu_);
  uint64_t last_number_ ABSL_GUARDED_BY(generation_mu_) = 0;
  // Handles of generation families (dropped or not), destroyed at close.
  std::vector<rocksdb::ColumnFamilyHandle*> generation_handles_ ABSL_GUARDED_BY(generation_mu_);
};

// I/O and other RocksDB failures are UNAVAILABLE (the dependency is down), corruption is DATA_LOSS.
absl::Status FromRocksStatus(const rocksdb::Status& status, absl::string_view what);

}  // namespace breachd::eventstore
