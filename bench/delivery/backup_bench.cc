// Backup and restore of large stores: the RTO of docs/operations.md at the sizes a provider's
// stores reach, and what a backup costs while breachd serves. For each store size N:
//
//   1. fill the intake store with N filed reports; start an all-in-one breachd and wait until
//      every consumer (register, assessment, notification) has caught them all up from the intake
//      store (their projections built from nothing: what a lost consumer store without a backup
//      costs);
//   2. `AdminService.BackupStores` while it serves: a full backup of every store, then at once a
//      second one (incremental: what a frequent backup of a quiet store costs);
//   3. SIGKILL breachd, copy the intake and register folders with `cp -a` and `sync -f` (the
//      peer: the bytes a restore must write, copied and made durable by the plainest tools there
//      are), destroy both folders and restore each with `breachctl admin restore`;
//   4. start breachd again on the restored stores: time to ready (serving) and until every
//      consumer has caught up with the intake again. RTO = the restores + the start until serving.
//
//   build/bench/backup_bench [--events=10000,100000,1000000]
#include <signal.h>

#include <cstdio>
#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/delivery/large_store.h"
#include "tests/testing/process.h"

ABSL_FLAG(std::vector<std::string>, events, std::vector<std::string>({"10000", "100000"}),
          "Store sizes (filed reports in the intake store) to measure");
ABSL_FLAG(std::string, breachd, BREACHD_BIN_DIR "/breachd", "breachd binary");
ABSL_FLAG(std::string, breachctl, BREACHD_BIN_DIR "/breachctl", "breachctl binary");
ABSL_FLAG(std::string, work_dir, "", "Folder for the data (default: the current folder)");

namespace breachd::bench {
namespace {

namespace fs = std::filesystem;

// The stores lost and restored: a source (its own events) and a consumer (derived from them).
constexpr const char* kLostStores[] = {"intake", "register"};

struct Figures {
  absl::Duration consumers_from_nothing;  // first start: spawn -> every consumer caught up
  double store_mib = 0;                  // the lost stores' folders, summed
  absl::Duration full_backup, incremental_backup;
  double full_backup_mib = 0;
  absl::Duration copy_peer, restore;  // both lost stores
  absl::Duration restart_to_ready, restart_to_caught_up;
  uint64_t re_read_after_restore = 0;  // events the consumers caught up again after the restore
};

double FolderMib(const fs::path& dir) {
  uintmax_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes / (1024.0 * 1024.0);
}

absl::StatusOr<breach::v1::BackupStoresResponse> BackupEveryStore(const std::string& endpoint) {
  OperatorAdminCall call(endpoint, absl::Hours(1));
  breach::v1::BackupStoresResponse answer;
  if (grpc::Status called = call.stub->BackupStores(&call.context, {}, &answer); !called.ok()) {
    return absl::InternalError("BackupStores: " + called.error_message());
  }
  return answer;
}

absl::Status Run(const std::string& command, const std::vector<std::string>& argv) {
  const testing::CommandResult result = testing::RunCommand(argv);
  if (result.exit_code != 0) return absl::InternalError(command + ": " + result.err);
  return absl::OkStatus();
}

absl::StatusOr<Figures> Measure(const fs::path& dir, int64_t events) {
  const fs::path backups = dir / "backups";
  const std::vector<std::string> flags = {"--backup_dir=" + backups.string()};
  Figures figures;
  auto first = StartAllInOne(absl::GetFlag(FLAGS_breachd), dir, flags);
  if (!first.ok()) return first.status();
  if (auto caught_up = WaitCaughtUp(*first, events, absl::Minutes(30)); !caught_up.ok()) {
    return caught_up.status();
  }
  figures.consumers_from_nothing = absl::Now() - first->spawned;

  absl::Time started = absl::Now();
  auto full = BackupEveryStore(first->endpoint);
  if (!full.ok()) return full.status();
  figures.full_backup = absl::Now() - started;
  for (const auto& store : full->backups()) figures.full_backup_mib += store.size_bytes();
  figures.full_backup_mib /= 1024.0 * 1024.0;
  started = absl::Now();
  if (auto incremental = BackupEveryStore(first->endpoint); !incremental.ok()) {
    return incremental.status();
  }
  figures.incremental_backup = absl::Now() - started;
  first->process.Signal(SIGKILL);

  // The peer: copying the same folders as they are.
  started = absl::Now();
  for (const char* store : kLostStores) {
    if (absl::Status copied = Run("cp", {"/bin/cp", "-a", (dir / store).string(),
                                         (dir / absl::StrCat(store, ".copy")).string()});
        !copied.ok()) {
      return copied;
    }
  }
  // A restore makes what it writes durable; so must the peer (sync -f: the copies' file system).
  if (absl::Status synced = Run("sync", {"/bin/sync", "-f", dir.string()}); !synced.ok()) {
    return synced;
  }
  figures.copy_peer = absl::Now() - started;
  for (const char* store : kLostStores) {
    figures.store_mib += FolderMib(dir / store);
    fs::remove_all(dir / absl::StrCat(store, ".copy"));
    fs::remove_all(dir / store);
  }

  started = absl::Now();
  for (const char* store : kLostStores) {
    if (absl::Status restored =
            Run("breachctl admin restore",
                {absl::GetFlag(FLAGS_breachctl), "admin", "restore", "--backup-dir",
                 (backups / store).string(), "--data-dir", (dir / store).string()});
        !restored.ok()) {
      return restored;
    }
  }
  figures.restore = absl::Now() - started;

  auto second = StartAllInOne(absl::GetFlag(FLAGS_breachd), dir, flags);
  if (!second.ok()) return second.status();
  figures.restart_to_ready = second->to_ready;
  auto caught_up = WaitCaughtUp(*second, events, absl::Minutes(30));
  if (!caught_up.ok()) return caught_up.status();
  figures.restart_to_caught_up = absl::Now() - second->spawned;
  figures.re_read_after_restore = *caught_up;
  second->process.Signal(SIGTERM);
  return figures;
}

std::string S(absl::Duration d) { return absl::StrFormat("%.2f s", absl::ToDoubleSeconds(d)); }

int Main() {
  std::printf("%-8s %-9s %-11s %-9s %-10s %-10s %-9s %-8s %-10s %-10s %-9s %s\n", "events",
              "from-zero", "full-backup", "MiB", "increment", "cp-a-peer", "restore", "vs-cp",
              "to-ready", "RTO", "caught-up", "re-read");
  return ForEachFilledStore(
      absl::GetFlag(FLAGS_events), /*min_events=*/1, absl::GetFlag(FLAGS_work_dir),
      "breachd-backup-bench", [](const fs::path& dir, int64_t events) -> absl::Status {
        auto figures = Measure(dir, events);
        if (!figures.ok()) return figures.status();
        std::printf(
            "%-8lld %-9s %-11s %-9.1f %-10s %-10s %-9s %-8s %-10s %-10s %-9s %llu\n",
            static_cast<long long>(events), S(figures->consumers_from_nothing).c_str(),
            S(figures->full_backup).c_str(), figures->full_backup_mib,
            S(figures->incremental_backup).c_str(), S(figures->copy_peer).c_str(),
            S(figures->restore).c_str(),
            absl::StrFormat("%.2fx", absl::FDivDuration(figures->restore, figures->copy_peer))
                .c_str(),
            S(figures->restart_to_ready).c_str(),
            S(figures->restore + figures->restart_to_ready).c_str(),
            S(figures->restart_to_caught_up).c_str(),
            static_cast<unsigned long long>(figures->re_read_after_restore));
        std::printf("         (intake + register folders: %.1f MiB)\n", figures->store_mib);
        return absl::OkStatus();
      });
}

}  // namespace
}  // namespace breachd::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return breachd::bench::Main();
}
