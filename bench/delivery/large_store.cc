#include "bench/delivery/large_store.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "breach/v1/admin.grpc.pb.h"
#include "breach/v1/events.pb.h"
#include "grpcpp/create_channel.h"
#include "libs/common/ids.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/event_factory.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"

namespace breachd::bench {

namespace {

absl::Status FillIntake(const std::filesystem::path& dir, int64_t events) {
  eventstore::Options options;
  options.sync = false;  // one fsync at the end is enough for a benchmark's fixture
  auto store = eventstore::EventStore::Open((dir / "intake").string(), options);
  if (!store.ok()) return store.status();
  auth::Principal dpo{"user:dpo-vespucci", testing::kVespucci, {"school-dpo"}};
  const breach::v1::BreachReport form = testing::LostLaptopReport(testing::kVespucci);
  for (int64_t i = 0; i < events; ++i) {
    breach::v1::BreachReported reported;
    reported.set_breach_id(NewUlid(absl::Now()));
    *reported.mutable_report() = form;
    reported.set_request_id(absl::StrCat("bench-", i));
    eventstore::AppendRequest append;
    append.stream_id = reported.breach_id();
    append.publish = false;
    append.events.push_back(service::MakeEvent({"intake", dpo, reported.request_id(),
                                                reported.breach_id()},
                                               testing::kVespucci, absl::Now(), reported));
    if (auto appended = (*store)->Append(std::move(append)); !appended.ok()) {
      return appended.status();
    }
    if (events >= 100000 && (i + 1) % 100000 == 0) {
      std::fprintf(stderr, "  filled %lld/%lld\n", static_cast<long long>(i + 1),
                   static_cast<long long>(events));
    }
  }
  return (*store)->WriteProjection({}, /*sync=*/true);
}

}  // namespace

int ForEachFilledStore(const std::vector<std::string>& events_flag, int64_t min_events,
                       const std::string& work_dir, const std::string& name,
                       const MeasureStore& measure) {
  std::vector<int64_t> sizes;
  for (const std::string& text : events_flag) {
    int64_t events = 0;
    if (!absl::SimpleAtoi(text, &events) || events < min_events) {
      std::fprintf(stderr, "--events: %s is not a count of at least %lld\n", text.c_str(),
                   static_cast<long long>(min_events));
      return 2;
    }
    sizes.push_back(events);
  }
  const std::filesystem::path base =
      work_dir.empty() ? std::filesystem::current_path() : std::filesystem::path(work_dir);
  for (const int64_t events : sizes) {
    const std::filesystem::path dir = base / absl::StrCat(name, "-", NewUlid(absl::Now()));
    std::filesystem::create_directories(dir);
    testing::WriteTwoSchoolIdentity((dir / "identity.json").string());
    absl::Status measured = FillIntake(dir, events);
    if (measured.ok()) measured = measure(dir, events);
    if (!measured.ok()) {
      std::fprintf(stderr, "%s (data in %s)\n", measured.ToString().c_str(), dir.c_str());
      return 1;
    }
    std::fflush(stdout);
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  return 0;
}

absl::StatusOr<RunningBreachd> StartAllInOne(const std::string& breachd_path,
                                             const std::filesystem::path& dir,
                                             const std::vector<std::string>& extra_flags) {
  const std::string ready = (dir / "ready.json").string();
  std::filesystem::remove(ready);
  std::vector<std::string> argv = {
      breachd_path, "--services=all", "--kafka=embedded", "--data_dir=" + dir.string(),
      "--identity_file=" + (dir / "identity.json").string(), "--listen=127.0.0.1:0",
      "--ready_file=" + ready, "--dev_identity", "--insecure"};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  const absl::Time spawned = absl::Now();
  auto child = testing::ChildProcess::Start(argv, (dir / "breachd").string());
  if (!child.ok()) return child.status();
  while (!std::filesystem::exists(ready)) {
    if (!child->Running()) return absl::InternalError("breachd exited: " + child->Stderr());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const absl::Duration to_ready = absl::Now() - spawned;
  std::ifstream ready_in(ready);
  const std::string endpoint = nlohmann::json::parse(ready_in)["endpoint"];
  return RunningBreachd{std::move(*child), endpoint, spawned, to_ready};
}

namespace {

// Every consumer's row for the intake's store (the register, the assessment, the notification).
absl::StatusOr<std::vector<breach::v1::SourceDelivery>> IntakeRows(const std::string& endpoint) {
  OperatorAdminCall call(endpoint, absl::Seconds(10));
  breach::v1::GetDeliveryStatusResponse status;
  if (grpc::Status called = call.stub->GetDeliveryStatus(&call.context, {}, &status);
      !called.ok()) {
    return absl::UnavailableError(called.error_message());
  }
  std::vector<breach::v1::SourceDelivery> rows;
  for (const auto& row : status.sources()) {
    if (row.source() == "intake") rows.push_back(row);
  }
  if (rows.empty()) return absl::NotFoundError("no consumer of the intake in the status");
  return rows;
}

}  // namespace

absl::StatusOr<uint64_t> WaitCaughtUp(RunningBreachd& breachd, int64_t events,
                                      absl::Duration timeout) {
  while (true) {
    auto rows = IntakeRows(breachd.endpoint);
    if (rows.ok() &&
        std::all_of(rows->begin(), rows->end(), [&](const breach::v1::SourceDelivery& row) {
          return row.applied_through() >= static_cast<uint64_t>(events) && row.lag() == 0 &&
                 row.catch_ups() > 0;
        })) {
      uint64_t re_read = 0;
      for (const auto& row : *rows) re_read += row.caught_up_events();
      return re_read;
    }
    if (!breachd.process.Running()) {
      return absl::InternalError("breachd exited: " + breachd.process.Stderr());
    }
    if (absl::Now() - breachd.spawned > timeout) {
      return absl::DeadlineExceededError("the consumers did not catch up with the intake");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

OperatorAdminCall::OperatorAdminCall(const std::string& endpoint, absl::Duration deadline)
    : stub(breach::v1::AdminService::NewStub(
          grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials()))) {
  context.AddMetadata("authorization", absl::StrCat("Bearer ", testing::kOperatorToken));
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
}

std::string Ms(absl::Duration d) { return absl::StrCat(absl::ToInt64Milliseconds(d), " ms"); }

}  // namespace breachd::bench
