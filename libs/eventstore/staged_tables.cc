#include "libs/eventstore/staged_tables.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/eventstore/database.h"
#include "rocksdb/sst_file_writer.h"

namespace breachd::eventstore {
namespace {

// Files of about this size (RocksDB's own target for a table file).
constexpr uint64_t kFileBytes = 64 << 20;

// Writes sorted entries to files of about kFileBytes, named by `next_path`, appending their
// paths to `files`.
class SortedFiles {
 public:
  SortedFiles(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
              std::function<std::string()> next_path, std::vector<std::string>& files)
      : family_(family), next_path_(std::move(next_path)), files_(files),
        options_(db.GetOptions(family)) {}

  absl::Status Put(std::string_view key, std::string_view value) {
    RETURN_IF_ERROR(Ready());
    return FromRocksStatus(writer_->Put(rocksdb::Slice(key.data(), key.size()),
                                        rocksdb::Slice(value.data(), value.size())),
                           "write a staged table");
  }
  absl::Status Delete(std::string_view key) {
    RETURN_IF_ERROR(Ready());
    return FromRocksStatus(writer_->Delete(rocksdb::Slice(key.data(), key.size())),
                           "write a staged table");
  }
  absl::Status Finish() {
    if (writer_ == nullptr) return absl::OkStatus();
    std::unique_ptr<rocksdb::SstFileWriter> writer = std::move(writer_);
    return FromRocksStatus(writer->Finish(), "finish a staged table");
  }

 private:
  // A writer with room: the next file once this one is full (keys are sorted, so the files do
  // not overlap).
  absl::Status Ready() {
    if (writer_ != nullptr && writer_->FileSize() >= kFileBytes) RETURN_IF_ERROR(Finish());
    if (writer_ != nullptr) return absl::OkStatus();
    writer_ = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(options_), options_,
                                                       family_);
    files_.push_back(next_path_());
    return FromRocksStatus(writer_->Open(files_.back()), "open a staged table");
  }

  rocksdb::ColumnFamilyHandle* family_;
  std::function<std::string()> next_path_;
  std::vector<std::string>& files_;
  rocksdb::Options options_;
  std::unique_ptr<rocksdb::SstFileWriter> writer_;
};

// Sorts `chunk` by `key`, keeping the last write of each key.
template <typename T, typename Key>
void SortKeepingLast(std::vector<T>& chunk, Key key) {
  std::stable_sort(chunk.begin(), chunk.end(),
                   [&](const T& a, const T& b) { return key(a) < key(b); });
  size_t kept = 0;
  for (size_t i = 0; i < chunk.size(); ++i) {
    if (i + 1 < chunk.size() && key(chunk[i]) == key(chunk[i + 1])) continue;
    if (kept != i) chunk[kept] = std::move(chunk[i]);
    ++kept;
  }
  chunk.resize(kept);
}

template <typename T>
using Run = StagedTables::Run<T>;

// The sorted `chunks` cut into `parts` key ranges (about equal, by a sample of their keys), each
// a run of every chunk: the ranges do not overlap, so their files are written at once.
template <typename T, typename Key>
std::vector<std::vector<Run<T>>> Split(const std::vector<std::vector<T>>& chunks, Key key,
                                       size_t parts) {
  constexpr size_t kSamplesPerChunk = 16;
  std::vector<const std::string*> sample;
  for (const std::vector<T>& chunk : chunks) {
    for (size_t i = 0; i < kSamplesPerChunk && !chunk.empty(); ++i) {
      sample.push_back(&key(chunk[i * chunk.size() / kSamplesPerChunk]));
    }
  }
  std::sort(sample.begin(), sample.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  std::vector<const std::string*> bounds;
  for (size_t p = 1; p < parts && !sample.empty(); ++p) {
    bounds.push_back(sample[p * sample.size() / parts]);
  }
  std::vector<std::vector<Run<T>>> split(bounds.size() + 1);
  for (size_t i = 0; i < chunks.size(); ++i) {
    const T* begin = chunks[i].data();
    const T* const end = begin + chunks[i].size();
    for (size_t p = 0; p <= bounds.size(); ++p) {
      const T* cut = p < bounds.size() ? std::lower_bound(begin, end, *bounds[p],
                                                          [&](const T& item, const std::string& b) {
                                                            return key(item) < b;
                                                          })
                                       : end;
      if (cut != begin) split[p].push_back({begin, cut, i});
      begin = cut;
    }
  }
  return split;
}

// Visits the items of `runs` in key order, each key once: the write of the latest chunk holding
// it. A merge: each run is read in order, in cache.
template <typename T, typename Key>
absl::Status Merge(std::vector<Run<T>> heap, Key key,
                   const std::function<absl::Status(const T&)>& visit) {
  // Min-heap on (key, chunk): of equal keys the earliest chunk comes out first.
  auto later = [&](const Run<T>& a, const Run<T>& b) {
    const int order = key(*a.at).compare(key(*b.at));
    return order != 0 ? order > 0 : a.chunk > b.chunk;
  };
  std::make_heap(heap.begin(), heap.end(), later);
  auto pop = [&]() -> const T* {
    std::pop_heap(heap.begin(), heap.end(), later);
    Run<T>& run = heap.back();
    const T* item = run.at++;
    if (run.at == run.end) {
      heap.pop_back();
    } else {
      std::push_heap(heap.begin(), heap.end(), later);
    }
    return item;
  };
  while (!heap.empty()) {
    const T* item = pop();
    while (!heap.empty() && key(*heap.front().at) == key(*item)) item = pop();
    RETURN_IF_ERROR(visit(*item));
  }
  return absl::OkStatus();
}

const std::string& RowKey(const ProjectionWrite& row) { return row.key; }
const std::string& MarkerKey(const std::string& event_id) { return event_id; }

}  // namespace

StagedTables::StagedTables(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* projections,
                           rocksdb::ColumnFamilyHandle* consumed, std::string dir,
                           uint64_t generation, size_t spill_bytes)
    : db_(db), projections_(projections), consumed_(consumed), dir_(std::move(dir)),
      generation_(generation), spill_bytes_(spill_bytes) {}

absl::Status StagedTables::Add(std::vector<ProjectionWrite> rows,
                               std::vector<std::string> consumed_event_ids) {
  size_t bytes = 0;
  for (const ProjectionWrite& row : rows) bytes += row.key.size() + row.value.size();
  for (const std::string& event_id : consumed_event_ids) bytes += event_id.size();
  // Sorted here, on the caller's thread (the fold's threads write at once); merged at the spill.
  SortKeepingLast(rows, RowKey);
  SortKeepingLast(consumed_event_ids, MarkerKey);
  bool full;
  {
    absl::MutexLock lock(&mu_);
    if (!rows.empty()) held_.rows.push_back(std::move(rows));
    if (!consumed_event_ids.empty()) held_.markers.push_back(std::move(consumed_event_ids));
    held_.bytes += bytes;
    full = held_.bytes >= spill_bytes_;
  }
  return full ? Spill() : absl::OkStatus();
}

std::string StagedTables::NextFile() {
  return absl::StrCat(dir_, "/g", generation_, "-", ++files_, ".sst");
}

absl::Status StagedTables::WriteRows(std::vector<Run<ProjectionWrite>> runs,
                                     std::vector<std::string>& files) {
  SortedFiles out(db_, projections_, [this] { return NextFile(); }, files);
  RETURN_IF_ERROR(Merge<ProjectionWrite>(std::move(runs), RowKey, [&](const ProjectionWrite& row) {
    // An erase must hide what an earlier spill wrote.
    return row.erase ? out.Delete(row.key) : out.Put(row.key, row.value);
  }));
  return out.Finish();
}

absl::Status StagedTables::WriteMarkers(std::vector<Run<std::string>> runs,
                                        std::vector<std::string>& files) {
  SortedFiles out(db_, consumed_, [this] { return NextFile(); }, files);
  RETURN_IF_ERROR(Merge<std::string>(std::move(runs), MarkerKey, [&](const std::string& event_id) {
    return out.Put(event_id, "");
  }));
  return out.Finish();
}

absl::Status StagedTables::Spill() {
  absl::MutexLock spilling(&spill_mu_);
  Held held;
  {
    absl::MutexLock lock(&mu_);
    std::swap(held, held_);
  }
  if (held.rows.empty() && held.markers.empty()) return absl::OkStatus();
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("event store: create ", dir_, ": ", error.message()));
  }
  // The files of each key range of the rows, and the markers', at once, one range per core.
  const size_t parts = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  std::vector<std::function<absl::Status(std::vector<std::string>&)>> tasks;
  for (auto& runs : Split(held.rows, RowKey, parts)) {
    tasks.push_back([this, runs = std::move(runs)](std::vector<std::string>& files) mutable {
      return WriteRows(std::move(runs), files);
    });
  }
  const size_t row_tasks = tasks.size();
  for (auto& runs : Split(held.markers, MarkerKey, 1)) {
    tasks.push_back([this, runs = std::move(runs)](std::vector<std::string>& files) mutable {
      return WriteMarkers(std::move(runs), files);
    });
  }
  std::vector<std::vector<std::string>> task_files(tasks.size());
  std::vector<absl::Status> results(tasks.size());
  std::vector<std::thread> threads;
  for (size_t i = 1; i < tasks.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = tasks[i](task_files[i]); });
  }
  if (!tasks.empty()) results[0] = tasks[0](task_files[0]);
  for (std::thread& thread : threads) thread.join();
  absl::Status written;
  for (const absl::Status& result : results) written.Update(result);
  std::vector<std::string> row_files, marker_files;
  for (size_t i = 0; i < tasks.size(); ++i) {
    auto& into = i < row_tasks ? row_files : marker_files;
    into.insert(into.end(), task_files[i].begin(), task_files[i].end());
  }
  if (written.ok()) {
    std::vector<rocksdb::IngestExternalFileArg> args;
    for (auto [family, files] : {std::pair{projections_, &row_files},
                                 std::pair{consumed_, &marker_files}}) {
      if (files->empty()) continue;
      rocksdb::IngestExternalFileArg arg;
      arg.column_family = family;
      arg.external_files = *files;
      // Moved (linked), not copied; a later spill's files land over this one's.
      arg.options.move_files = true;
      arg.options.allow_global_seqno = true;
      arg.options.allow_blocking_flush = true;
      args.push_back(std::move(arg));
    }
    written = FromRocksStatus(db_.IngestExternalFiles(args), "ingest staged tables");
  }
  // Ingested files were moved; what is left is a failure's.
  for (const auto* files : {&row_files, &marker_files}) {
    for (const std::string& file : *files) std::filesystem::remove(file, error);
  }
  return written;
}

}  // namespace breachd::eventstore
