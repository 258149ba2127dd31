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
#include "breach/v1/envelope.pb.h"
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
  rocksdb::ColumnFamilyHandle* projections() const { return handles_[4]; }
  rocksdb::ColumnFamilyHandle* consumed() const { return handles_[5]; }
  rocksdb::ColumnFamilyHandle* meta() const { return handles_[6]; }
  rocksdb::ColumnFamilyHandle* parked() const { return handles_[7]; }

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
           rocksdb::ColumnFamilyHandle* default_handle);

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // in layout::ColumnFamilyNames() order
  rocksdb::ColumnFamilyHandle* default_handle_;
};

// I/O and other RocksDB failures are UNAVAILABLE (the dependency is down), corruption is DATA_LOSS.
absl::Status FromRocksStatus(const rocksdb::Status& status, absl::string_view what);

}  // namespace breachd::eventstore
