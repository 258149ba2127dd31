// For register_rebuild_crash_test: in the store at argv[1], the live register of MixedHistory
// (applied event by event and synced), then a rebuild of it staged and half written (one chunk
// ingested as table files, one held); prints
// "STAGED" and waits to be killed.
#include <unistd.h>

#include <cstdio>
#include <utility>

#include "services/register/register_consumer.h"
#include "services/register/register_rebuild.h"
#include "services/register/tests/mixed_history.h"

int main(int argc, char** argv) {
  using namespace breachd;  // NOLINT
  if (argc != 2) return 2;
  auto store = eventstore::EventStore::Open(argv[1]);
  if (!store.ok()) return 1;
  register_::RegisterConsumer consumer(**store, register_::testing::Rome());
  const auto events = register_::testing::MixedHistory();
  for (const auto& event : events) {
    if (!consumer.ApplyConsumed(event).ok()) return 1;
  }
  if (!consumer.MakeAppliedDurable().ok()) return 1;
  auto generation = (*store)->StageProjection();
  if (!generation.ok()) return 1;
  register_::RebuildFold fold(register_::testing::Rome(), /*threads=*/1, /*chunk_rows=*/100);
  for (const auto& event : events) {
    if (!fold.Add(event).ok()) return 1;
  }
  int chunks = 0;
  (void)fold.TakeRows([&](std::vector<eventstore::ProjectionWrite> rows) -> absl::Status {
    if (++chunks > 2) {
      std::printf("STAGED\n");
      std::fflush(stdout);
      for (;;) pause();  // killed here, mid-rebuild
    }
    absl::Status written = (*store)->WriteStagedProjection(*generation, std::move(rows), {});
    // The first chunk ingested as table files of the staged generation, the second held in
    // memory when the kill comes.
    if (written.ok() && chunks == 1) written = (*store)->FlushStagedProjection(*generation);
    return written;
  });
  return 1;
}
