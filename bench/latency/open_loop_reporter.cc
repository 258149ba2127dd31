#include "bench/latency/open_loop_reporter.h"

#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "breach/v1/intake.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "libs/common/ids.h"
#include "tests/testing/fixtures.h"

namespace breachd::bench {
namespace {

constexpr char kBreachReported[] = "breach.v1.BreachReported";

double Millis(SteadyTime from, SteadyTime to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

std::chrono::nanoseconds ToChrono(absl::Duration duration) {
  return std::chrono::nanoseconds(absl::ToInt64Nanoseconds(duration));
}

}  // namespace

// One stub per connection and one ready form per reporter.
struct OpenLoopReporter::Clients {
  std::vector<std::unique_ptr<breach::v1::IntakeService::Stub>> stubs;
  std::vector<breach::v1::BreachReport> forms;
};

// What an in-flight call owns until its callback runs.
struct InFlight {
  grpc::ClientContext context;
  breach::v1::ReportBreachRequest request;
  breach::v1::Report response;
};

OpenLoopReporter::OpenLoopReporter(ReporterOptions options)
    : options_(std::move(options)), clients_(std::make_shared<Clients>()), run_id_(NewUlid(absl::Now())) {
  for (int i = 0; i < std::max(1, options_.channels); ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
    clients_->stubs.push_back(breach::v1::IntakeService::NewStub(grpc::CreateCustomChannel(
        options_.endpoint, grpc::InsecureChannelCredentials(), args)));
  }
  for (const auto& [token, tenant] : options_.reporters) {
    clients_->forms.push_back(testing::LostLaptopReport(tenant));
  }
}

void OpenLoopReporter::OnApplied(const breach::v1::EventEnvelope& event) {
  if (event.type() != kBreachReported) return;
  const SteadyTime now = std::chrono::steady_clock::now();
  absl::MutexLock lock(&mu_);
  applied_.emplace(event.stream_id(), now);
}

bool OpenLoopReporter::AppliedAt(const std::string& breach_id, SteadyTime* at) {
  absl::MutexLock lock(&mu_);
  auto it = applied_.find(breach_id);
  if (it == applied_.end()) return false;
  if (at != nullptr) *at = it->second;
  return true;
}

void OpenLoopReporter::Send(size_t index, Record& record) {
  const size_t who = index % options_.reporters.size();
  auto call = std::make_shared<InFlight>();
  call->context.set_deadline(std::chrono::system_clock::now() + ToChrono(options_.rpc_deadline));
  call->context.AddMetadata("authorization", "Bearer " + options_.reporters[who].first);
  call->request.set_request_id(absl::StrCat(run_id_, "-", index));
  *call->request.mutable_report() = clients_->forms[who];
  {
    absl::MutexLock lock(&mu_);
    ++outstanding_;
  }
  record.sent = std::chrono::steady_clock::now();
  auto& stub = clients_->stubs[index % clients_->stubs.size()];
  stub->async()->ReportBreach(
      &call->context, &call->request, &call->response,
      [this, call, &record](grpc::Status status) {
        record.responded = std::chrono::steady_clock::now();
        record.ok = status.ok();
        if (status.ok()) {
          record.breach_id = call->response.breach_id();
        } else {
          record.error = absl::StrCat(status.error_code(), ": ", status.error_message());
        }
        absl::MutexLock lock(&mu_);
        record.done = true;
        --outstanding_;
      });
}

absl::Status OpenLoopReporter::Prime(absl::Duration timeout) {
  Record record;
  record.scheduled = std::chrono::steady_clock::now();
  Send(/*index=*/0, record);
  const SteadyTime deadline = record.scheduled + ToChrono(timeout);
  {
    absl::MutexLock lock(&mu_);
    auto returned = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return outstanding_ == 0; };
    mu_.Await(absl::Condition(&returned));  // the call has a deadline, so this ends
  }
  if (!record.ok) return absl::UnavailableError("priming report failed: " + record.error);
  while (!AppliedAt(record.breach_id, nullptr)) {
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::UnavailableError("priming report never reached the register");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return absl::OkStatus();
}

void OpenLoopReporter::AwaitRegister(const std::vector<Record>& records, SteadyTime deadline) {
  for (const Record& record : records) {
    if (!record.ok) continue;
    while (!AppliedAt(record.breach_id, nullptr) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

ReporterResult OpenLoopReporter::Run() {
  const double rate = options_.reports_per_second;
  const auto period = std::chrono::duration<double>(1.0 / rate);
  const size_t warmup = static_cast<size_t>(absl::ToDoubleSeconds(options_.warmup) * rate);
  const size_t measured = static_cast<size_t>(absl::ToDoubleSeconds(options_.duration) * rate);
  // Index 0 was the priming report; this run's request ids start after it.
  std::vector<Record> records(warmup + measured);

  // The schedule is fixed before the first send: report i leaves at start + i * period.
  const SteadyTime start = std::chrono::steady_clock::now() + std::chrono::milliseconds(10);
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].scheduled =
        start + std::chrono::duration_cast<std::chrono::nanoseconds>(period * double(i));
  }
  for (size_t i = 0; i < records.size(); ++i) {
    std::this_thread::sleep_until(records[i].scheduled);
    Send(i + 1, records[i]);
  }
  {
    absl::MutexLock lock(&mu_);
    auto returned = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return outstanding_ == 0; };
    mu_.Await(absl::Condition(&returned));  // every call has a deadline, so this ends
  }
  AwaitRegister(records, std::chrono::steady_clock::now() + ToChrono(options_.drain_timeout));

  ReporterResult result;
  SteadyTime last_applied = start;
  for (size_t i = warmup; i < records.size(); ++i) {
    const Record& record = records[i];
    ++result.measured_sent;
    if (record.sent - record.scheduled > std::chrono::milliseconds(1)) ++result.late_sends;
    if (!record.ok) {
      if (result.rpc_failed++ == 0) result.first_rpc_error = record.error;
      continue;
    }
    result.rpc_ms.push_back(Millis(record.scheduled, record.responded));
    SteadyTime applied;
    if (!AppliedAt(record.breach_id, &applied)) {
      ++result.lost;
      continue;
    }
    result.register_ms.push_back(Millis(record.scheduled, applied));
    last_applied = std::max(last_applied, applied);
  }
  if (measured > 0) {
    const SteadyTime first_sent = records[warmup].sent;
    const double send_span_s = Millis(first_sent, records.back().sent) / 1000.0;
    if (send_span_s > 0) result.offered_per_second = double(measured - 1) / send_span_s;
    const double apply_span_s = Millis(first_sent, last_applied) / 1000.0;
    if (apply_span_s > 0) {
      result.registered_per_second = double(result.register_ms.size()) / apply_span_s;
    }
  }
  return result;
}

}  // namespace breachd::bench
