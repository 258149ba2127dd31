// eventstore_crash_child DIR: appends to the store in DIR from several threads until killed,
// printing "ACK <event id>" (flushed) for every event whose append returned OK. The crash test
// SIGKILLs it at random moments and checks that every acknowledged event survived.
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/ids.h"
#include "libs/eventstore/event_store.h"

namespace {

using breachd::eventstore::AppendRequest;
using breachd::eventstore::EventEnvelope;
using breachd::eventstore::EventStore;

constexpr int kWriters = 4;

absl::Mutex stdout_mu;

void Say(const std::string& line) {
  absl::MutexLock lock(&stdout_mu);
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// Appends 1..3 events per batch to its own stream; the stream's projection row counts its
// events, so the test can see that rows and events landed together.
void Write(EventStore& store, int writer) {
  const std::string stream = absl::StrCat("crash-", writer);
  for (uint64_t round = 0;; ++round) {
    absl::StatusOr<uint64_t> version = store.StreamVersion(stream);
    if (!version.ok()) {
      Say(absl::StrCat("ERROR ", version.status().ToString()));
      return;
    }
    AppendRequest request;
    request.stream_id = stream;
    request.expected_version = *version;
    request.publish = round % 2 == 0;
    const int count = 1 + static_cast<int>(round % 3);
    for (int i = 0; i < count; ++i) {
      EventEnvelope event;
      event.set_event_id(breachd::NewUlid(absl::Now()));
      event.set_type("breach.v1.CrashTestEvent");
      event.set_source("crash-child");
      event.set_tenant("RGIS00800A");
      event.mutable_payload()->set_value(std::string(200, 'x'));
      request.events.push_back(std::move(event));
    }
    request.projection.push_back(
        {.key = absl::StrCat("count/", stream), .value = std::to_string(*version + count)});
    absl::StatusOr<breachd::eventstore::AppendResult> result = store.Append(std::move(request));
    if (!result.ok()) {
      Say(absl::StrCat("ERROR ", result.status().ToString()));
      return;
    }
    for (const EventEnvelope& event : result->events) Say("ACK " + event.event_id());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: eventstore_crash_child DIR\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  Say("READY");
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) writers.emplace_back(Write, std::ref(**store), w);
  for (std::thread& writer : writers) writer.join();
  return 1;  // writers only return on an error
}
