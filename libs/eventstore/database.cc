#include "libs/eventstore/database.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/eventstore/storage_layout.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"

namespace breachd::eventstore {
namespace {

// Data blocks, indexes and bloom filters of one store share this much memory: resident memory
// stays the same whatever the size of the store (docs/benchmarks.md, "Restart with a large
// store"), instead of growing with every index and filter block held outside the cache. 32 MiB
// catches up a million-event store as fast as 64 MiB did (77.9 s against 77.2 s), and keeps
// four processes of a 10,000-school fan-out on devbus under 512 MiB together.
constexpr size_t kBlockCacheBytes = 32 << 20;
// And the memtables of all its column families together at most this much (RocksDB flushes the
// largest when they reach it). Without a budget each family may hold 64 MiB before a flush, and
// a burst of writes (a 10,000-school incident: its cases, clocks and drafts) grows every store of
// the process at once (docs/benchmarks.md, "Provider-wide incident").
constexpr size_t kMemtableBytes = 32 << 20;

rocksdb::ColumnFamilyOptions FamilyOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  // Appends look every new event id up; a bloom filter makes the miss cheap.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  // Indexes and filters in 4 KiB partitions under a small top level: a large table file's
  // whole index (megabytes for a 64 MiB file) would not fit one shard of the cache, so every
  // read of it would load and decompress it again (a consumer catching up a store of a
  // million events slowed to a few hundred events a second; docs/benchmarks.md, "Backup and
  // restore of large stores"). Partitions are cached and evicted like data blocks.
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  // The top levels and the newest files' index and filters stay in memory: the hot path of an
  // append.
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

// Where a staged generation's table files wait for their ingestion.
std::string StagedTablesDir(const std::string& path) { return path + "/staged-tables"; }

}  // namespace

absl::Status FromRocksStatus(const rocksdb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat("event store ", what, ": ", status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  return absl::UnavailableError(message);
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                         rocksdb::Env* env) {
  rocksdb::DBOptions options;
  if (env != nullptr) options.env = env;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.db_write_buffer_size = kMemtableBytes;

  const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(kBlockCacheBytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : layout::ColumnFamilyNames()) {
    families.emplace_back(name, FamilyOptions(cache));
  }
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, FamilyOptions(cache));
  // RocksDB opens every family a database has: the projection generations too (a new
  // database has none, and ListColumnFamilies fails on it).
  std::vector<std::string> existing;
  rocksdb::DB::ListColumnFamilies(options, path, &existing).PermitUncheckedError();
  size_t generation_families = 0;
  for (const std::string& name : existing) {
    if (layout::GenerationOfFamily(name).has_value()) {
      families.emplace_back(name, FamilyOptions(cache));
      ++generation_families;
    }
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path, families, &handles, &raw);
  if (!status.ok()) return FromRocksStatus(status, absl::StrCat("open ", path));
  // Table files of a rebuild cut before their ingestion (their generation is dropped below);
  // only once RocksDB's lock is held, never under a process that has the store open.
  std::error_code ignored;
  std::filesystem::remove_all(StagedTablesDir(path), ignored);
  std::vector<rocksdb::ColumnFamilyHandle*> generation_handles(handles.end() - generation_families,
                                                              handles.end());
  handles.resize(handles.size() - generation_families);
  rocksdb::ColumnFamilyHandle* default_handle = handles.back();
  handles.pop_back();
  std::unique_ptr<Database> database(
      new Database(std::unique_ptr<rocksdb::DB>(raw), std::move(handles), default_handle, path));
  database->cache_ = cache;
  RETURN_IF_ERROR(database->SettleGenerations(std::move(generation_handles)));
  return database;
}

Database::Database(std::unique_ptr<rocksdb::DB> db,
                   std::vector<rocksdb::ColumnFamilyHandle*> handles,
                   rocksdb::ColumnFamilyHandle* default_handle, std::string path)
    : db_(std::move(db)), handles_(std::move(handles)), default_handle_(default_handle),
      staged_tables_dir_(StagedTablesDir(path)) {
  serving_ = {0, handles_[4], handles_[5], nullptr};
}

Database::~Database() {
  // A clean close leaves nothing to replay: without this flush the next open replays the whole
  // write-ahead log (with a large store, tens of seconds and every memtable back in memory).
  // If it fails (a full disk), the log still has everything.
  // (Not the dropped generations': RocksDB refuses to flush those.)
  std::vector<rocksdb::ColumnFamilyHandle*> all = {events(),  stream_index(), event_ids(),
                                                   outbox(),  meta(),         parked(),
                                                   default_handle_};
  {
    absl::MutexLock lock(&generation_mu_);
    all.insert(all.end(), {serving_.projections, serving_.consumed});
    if (staged_) all.insert(all.end(), {staged_->projections, staged_->consumed});
  }
  db_->Flush(rocksdb::FlushOptions(), all).PermitUncheckedError();
  for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  for (rocksdb::ColumnFamilyHandle* handle : generation_handles_) {
    db_->DestroyColumnFamilyHandle(handle);
  }
  db_->DestroyColumnFamilyHandle(default_handle_);
  db_->Close().PermitUncheckedError();
}

absl::Status Database::SettleGenerations(
    std::vector<rocksdb::ColumnFamilyHandle*> generation_handles) {
  ASSIGN_OR_RETURN(std::optional<std::string> recorded,
                   Get(meta(), layout::kProjectionGenerationKey));
  uint64_t serving = 0;
  if (recorded.has_value() && !absl::SimpleAtoi(*recorded, &serving)) {
    return absl::DataLossError("the store's projection generation is malformed");
  }
  absl::MutexLock lock(&generation_mu_);
  generation_handles_ = generation_handles;
  last_number_ = serving;
  Generation found{serving, nullptr, nullptr, nullptr};
  for (rocksdb::ColumnFamilyHandle* handle : generation_handles) {
    const uint64_t number = *layout::GenerationOfFamily(handle->GetName());
    last_number_ = std::max(last_number_, number);
    if (number != serving) {
      // A rebuild that never swapped (cut by a crash or a stop), or a generation served before.
      RETURN_IF_ERROR(FromRocksStatus(db_->DropColumnFamily(handle), "drop a stale generation"));
    } else if (handle->GetName() == layout::GenerationProjectionsCf(number)) {
      found.projections = handle;
    } else {
      found.consumed = handle;
    }
  }
  if (serving == 0) return absl::OkStatus();
  if (found.projections == nullptr || found.consumed == nullptr) {
    return absl::DataLossError(absl::StrCat("the serving projection generation ", serving,
                                            " has lost its column families"));
  }
  serving_ = found;
  // The pair of generation 0 is recreated empty at every open; rows left in it by a swap cut
  // before it dropped them are stale.
  return DropGeneration({0, handles_[4], handles_[5], nullptr});
}

absl::StatusOr<Database::Generation> Database::CreateGeneration(uint64_t number) {
  Generation generation{number, nullptr, nullptr, nullptr};
  // Its tables are ingested already sorted; nothing to compact before it serves (SwapGeneration).
  rocksdb::ColumnFamilyOptions options = FamilyOptions(cache_);
  options.disable_auto_compactions = true;
  rocksdb::Status status = db_->CreateColumnFamily(
      options, layout::GenerationProjectionsCf(number), &generation.projections);
  if (status.ok()) {
    status = db_->CreateColumnFamily(options, layout::GenerationConsumedCf(number),
                                     &generation.consumed);
  }
  absl::MutexLock lock(&generation_mu_);
  for (rocksdb::ColumnFamilyHandle* handle : {generation.projections, generation.consumed}) {
    if (handle != nullptr) generation_handles_.push_back(handle);
  }
  if (!status.ok()) {
    // The next open drops whatever of it exists.
    return FromRocksStatus(status, "create a projection generation");
  }
  generation.tables = std::make_shared<StagedTables>(*db_, generation.projections,
                                                     generation.consumed, staged_tables_dir_,
                                                     number);
  return generation;
}

absl::Status Database::DropGeneration(const Generation& generation) {
  for (rocksdb::ColumnFamilyHandle* handle : {generation.projections, generation.consumed}) {
    RETURN_IF_ERROR(FromRocksStatus(db_->DropColumnFamily(handle), "drop a generation"));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Database::StageGeneration() {
  uint64_t number;
  {
    absl::MutexLock lock(&generation_mu_);
    if (staged_) {
      RETURN_IF_ERROR(DropGeneration(*staged_));
      staged_.reset();
    }
    number = ++last_number_;
  }
  ASSIGN_OR_RETURN(Generation generation, CreateGeneration(number));
  absl::MutexLock lock(&generation_mu_);
  staged_ = generation;
  return number;
}

absl::StatusOr<Database::Generation> Database::Staged(uint64_t number) const {
  absl::MutexLock lock(&generation_mu_);
  if (!staged_ || staged_->number != number) {
    return absl::FailedPreconditionError(
        absl::StrCat("projection generation ", number, " is not the staged one"));
  }
  return *staged_;
}

absl::Status Database::WriteStaged(uint64_t number, std::vector<ProjectionWrite> rows,
                                 std::vector<std::string> consumed_event_ids) {
  ASSIGN_OR_RETURN(Generation staged, Staged(number));
  return staged.tables->Add(std::move(rows), std::move(consumed_event_ids));
}

absl::Status Database::FlushGeneration(uint64_t number) {
  ASSIGN_OR_RETURN(Generation staged, Staged(number));
  RETURN_IF_ERROR(staged.tables->Spill());
  // Nothing is written to its memtables any more; a no-op unless a store of an earlier version
  // left rows there.
  rocksdb::FlushOptions wait;
  wait.wait = true;
  return FromRocksStatus(db_->Flush(wait, {staged.projections, staged.consumed}),
                         "flush the staged generation");
}

absl::Status Database::SwapGeneration(uint64_t number) {
  // Ingested table files (synced), on disk before it is recorded.
  RETURN_IF_ERROR(FlushGeneration(number));
  ASSIGN_OR_RETURN(Generation staged, Staged(number));
  // Serving, it compacts as any family (a rebuild in several spills left overlapping files).
  for (rocksdb::ColumnFamilyHandle* family : {staged.projections, staged.consumed}) {
    RETURN_IF_ERROR(FromRocksStatus(
        db_->SetOptions(family, {{"disable_auto_compactions", "false"}}),
        "let the staged generation compact"));
  }
  rocksdb::WriteOptions synced;
  synced.sync = true;
  RETURN_IF_ERROR(FromRocksStatus(
      db_->Put(synced, meta(), layout::kProjectionGenerationKey, absl::StrCat(number)),
      "record the serving generation"));
  absl::MutexLock lock(&generation_mu_);
  const Generation retired = serving_;
  serving_ = *staged_;
  staged_.reset();
  // Recorded and served: a failure to drop the old one only leaves it to the next open.
  return DropGeneration(retired);
}

absl::Status Database::DiscardGeneration(uint64_t number) {
  RETURN_IF_ERROR(Staged(number).status());
  absl::MutexLock lock(&generation_mu_);
  absl::Status dropped = DropGeneration(*staged_);
  staged_.reset();
  return dropped;
}

absl::StatusOr<std::optional<std::string>> Database::Get(
    rocksdb::ColumnFamilyHandle* family, std::string_view key,
    const rocksdb::ReadOptions& options) const {
  std::string value;
  rocksdb::Status status =
      db_->Get(options, family, rocksdb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) return FromRocksStatus(status, "read");
  return value;
}

absl::StatusOr<std::optional<breach::v1::EventEnvelope>> Database::ReadEventAt(
    uint64_t position, const rocksdb::ReadOptions& options) const {
  auto bytes = Get(events(), layout::EncodePosition(position), options);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  breach::v1::EventEnvelope event;
  if (!event.ParseFromString(**bytes)) {
    return absl::DataLossError(absl::StrCat("event at position ", position, " does not parse"));
  }
  return event;
}

absl::StatusOr<uint64_t> Database::LastStoredPosition() const {
  uint64_t last = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events()));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocksStatus(it->status(), "seek last position");
  if (it->Valid()) {
    std::optional<uint64_t> position = layout::DecodePosition(it->key().ToStringView());
    if (!position) return absl::DataLossError("events column family holds a malformed key");
    last = *position;
  }
  ASSIGN_OR_RETURN(std::optional<std::string> floor, Get(meta(), layout::kPositionFloorKey));
  if (floor.has_value()) {
    std::optional<uint64_t> first_free = layout::DecodePosition(*floor);
    if (!first_free) return absl::DataLossError("the store's position floor is malformed");
    last = std::max(last, *first_free - 1);
  }
  return last;
}

}  // namespace breachd::eventstore
