#include "libs/eventstore/database.h"

#include <algorithm>

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
// store"), instead of growing with every index and filter block held outside the cache.
constexpr size_t kBlockCacheBytes = 64 << 20;

rocksdb::ColumnFamilyOptions FamilyOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  // Appends look every new event id up; a bloom filter makes the miss cheap.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  // The newest files' index and filters stay in memory: the hot path of an append.
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

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

  const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(kBlockCacheBytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : layout::ColumnFamilyNames()) {
    families.emplace_back(name, FamilyOptions(cache));
  }
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, FamilyOptions(cache));

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path, families, &handles, &raw);
  if (!status.ok()) return FromRocksStatus(status, absl::StrCat("open ", path));
  rocksdb::ColumnFamilyHandle* default_handle = handles.back();
  handles.pop_back();
  return std::unique_ptr<Database>(
      new Database(std::unique_ptr<rocksdb::DB>(raw), std::move(handles), default_handle));
}

Database::Database(std::unique_ptr<rocksdb::DB> db,
                   std::vector<rocksdb::ColumnFamilyHandle*> handles,
                   rocksdb::ColumnFamilyHandle* default_handle)
    : db_(std::move(db)), handles_(std::move(handles)), default_handle_(default_handle) {}

Database::~Database() {
  // A clean close leaves nothing to replay: without this flush the next open replays the whole
  // write-ahead log (with a large store, tens of seconds and every memtable back in memory).
  // If it fails (a full disk), the log still has everything.
  std::vector<rocksdb::ColumnFamilyHandle*> all = handles_;
  all.push_back(default_handle_);
  db_->Flush(rocksdb::FlushOptions(), all).PermitUncheckedError();
  for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->DestroyColumnFamilyHandle(default_handle_);
  db_->Close().PermitUncheckedError();
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
