// Shared test helpers: a fresh store in a temporary directory and envelopes to append.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/common/ids.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/eventstore/event_store.h"

namespace breachd::eventstore::testing {

// A fresh folder under the test process's scratch root, removed when the object goes.
using TempDir = ::breachd::testing::ScratchDir;

// An envelope as a caller hands it in: id, type, source, tenant, actor, correlation.
inline EventEnvelope MakeEvent(std::string event_id = "", std::string tenant = "RGIS00800A") {
  EventEnvelope event;
  event.set_event_id(event_id.empty() ? NewUlid(absl::Now()) : std::move(event_id));
  event.set_type("breach.v1.BreachReported");
  event.set_source("intake");
  event.set_tenant(std::move(tenant));
  event.mutable_occurred_at()->set_seconds(1767225600);
  event.mutable_actor()->set_subject("user:m.rossi");
  event.mutable_actor()->set_role("school-dpo");
  event.mutable_actor()->set_tenant(event.tenant());
  event.set_correlation_id("corr-1");
  event.mutable_payload()->set_type_url("type.googleapis.com/breach.v1.BreachReported");
  event.mutable_payload()->set_value(absl::StrCat("payload of ", event.event_id()));
  return event;
}

inline AppendRequest MakeAppend(std::string stream_id, int count,
                                std::optional<uint64_t> expected_version = std::nullopt) {
  AppendRequest request;
  request.stream_id = std::move(stream_id);
  request.expected_version = expected_version;
  for (int i = 0; i < count; ++i) request.events.push_back(MakeEvent());
  return request;
}

// Opens a store over a fresh temp dir with a FakeClock; Reopen() closes and opens it again.
class EventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    Options options = options_;
    options.clock = &clock_;
    auto store = EventStore::Open(dir_.path(), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  void Close() { store_.reset(); }

  EventStore& store() { return *store_; }

  TempDir dir_;
  FakeClock clock_;
  Options options_;  // what Reopen opens with (its clock is clock_)
  std::unique_ptr<EventStore> store_;
};

}  // namespace breachd::eventstore::testing
