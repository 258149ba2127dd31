// The write path of a staged projection generation (Database, "Projection generations"): rows and
// consumed markers are held in memory, then sorted and written as table files
// (rocksdb::SstFileWriter) that RocksDB ingests whole (IngestExternalFiles). No memtable insert,
// no flush, no compaction: a generation spilled once lands as non-overlapping files in the
// bottom level. Several spills (a history larger than kSpillBytes) overlap each other and land
// in level 0, later spills over earlier ones; the staged families compact nothing until the swap.
//
// Crash safety: the files are written to a directory of the store that every open empties, and
// are ingested into the staged generation's families, which every open drops unless swapped in.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "libs/eventstore/event_store.h"
#include "rocksdb/db.h"

namespace breachd::eventstore {

class StagedTables {
 public:
  // Rows held before a spill (keys and values): those of about 500,000 register events.
  static constexpr size_t kSpillBytes = size_t{256} << 20;

  // `projections` and `consumed` are the staged generation's families; `dir` holds the files
  // between their writing and their ingestion (made here, emptied by Database::Open).
  StagedTables(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* projections,
               rocksdb::ColumnFamilyHandle* consumed, std::string dir, uint64_t generation,
               size_t spill_bytes = kSpillBytes);

  // Takes rows and markers (any order, from any thread); a write of a key replaces an earlier
  // one. Spills when more than spill_bytes are held.
  absl::Status Add(std::vector<ProjectionWrite> rows, std::vector<std::string> consumed_event_ids);
  // Writes and ingests everything held (nothing when empty). Durable once it returns: RocksDB
  // syncs ingested files and records them in its manifest.
  absl::Status Spill();

  // A key range of one sorted chunk held.
  template <typename T>
  struct Run {
    const T* at;
    const T* end;
    size_t chunk;  // of equal keys, the highest chunk's was written last
  };

 private:
  struct Held {
    std::vector<std::vector<ProjectionWrite>> rows;    // in the order they were added
    std::vector<std::vector<std::string>> markers;
    size_t bytes = 0;
  };
  // Sorted runs merged into sorted files of one family, each key once (its last write).
  absl::Status WriteRows(std::vector<Run<ProjectionWrite>> runs, std::vector<std::string>& files);
  absl::Status WriteMarkers(std::vector<Run<std::string>> runs, std::vector<std::string>& files);
  std::string NextFile();

  rocksdb::DB& db_;
  rocksdb::ColumnFamilyHandle* const projections_;
  rocksdb::ColumnFamilyHandle* const consumed_;
  const std::string dir_;
  const uint64_t generation_;
  const size_t spill_bytes_;

  // Spills one at a time, in the order they took what was held: a later write wins.
  absl::Mutex spill_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::atomic<uint64_t> files_{0};  // names the files
  absl::Mutex mu_;
  Held held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace breachd::eventstore
