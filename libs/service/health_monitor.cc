#include "libs/service/health_monitor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/log.h"

namespace breachd::service {

std::vector<std::string> HealthJudge::Causes(const HealthSample& sample, absl::Time now) {
  if (!seen_ || !sample.outbox_pending || sample.published != last_published_) {
    last_progress_ = now;
  }
  seen_ = true;
  last_published_ = sample.published;

  std::vector<std::string> causes;
  if (!sample.reads.ok()) {
    causes.push_back(absl::StrCat("store unreadable: ", sample.reads.message()));
  }
  if (sample.parked > 0) {
    causes.push_back(absl::StrCat(sample.parked, " parked event(s) the bus refused "
                                  "(breachctl admin parked)"));
  }
  if (sample.consumer_parked > 0) {
    causes.push_back(absl::StrCat(sample.consumer_parked, " event(s) this service could not "
                                  "apply, parked (breachctl admin status)"));
  }
  if (!sample.writes.ok()) causes.push_back(std::string(sample.writes.message()));
  if (now - last_progress_ > policy_.relay_stall) {
    causes.push_back(absl::StrCat("relay stuck: events pending and none published for ",
                                  absl::FormatDuration(now - last_progress_)));
  }
  return causes;
}

HealthSample SampleStoreAndRelay(eventstore::EventStore& store, const bus::OutboxRelay& relay) {
  HealthSample sample;
  sample.published = relay.counters().published;
  sample.writes = store.ResumeWrites();
  absl::StatusOr<std::vector<eventstore::ParkedEvent>> parked = store.ListParked();
  absl::StatusOr<std::vector<eventstore::EventEnvelope>> pending = store.PendingOutbox(1);
  if (!parked.ok()) sample.reads = parked.status();
  if (!pending.ok()) sample.reads = pending.status();
  sample.parked = parked.ok() ? parked->size() : 0;
  sample.outbox_pending = pending.ok() && !pending->empty();
  return sample;
}

HealthMonitor::HealthMonitor(std::vector<MonitoredService> services, SetServing set_serving,
                             const Clock& clock, HealthPolicy policy)
    : set_serving_(std::move(set_serving)), clock_(clock) {
  for (MonitoredService& service : services) {
    watched_.push_back({std::move(service), HealthJudge(policy)});
  }
}

HealthMonitor::~HealthMonitor() { Stop(); }

void HealthMonitor::Start(absl::Duration interval) {
  thread_ = std::thread([this, interval] {
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
    while (true) {
      CheckNow();
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), interval)) return;
    }
  });
}

void HealthMonitor::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void HealthMonitor::CheckNow() {
  absl::MutexLock lock(&round_mu_);
  for (Watched& watched : watched_) {
    const std::vector<std::string> causes =
        watched.judge.Causes(watched.service.sample(), clock_.Now());
    const bool serving = causes.empty();
    if (serving == watched.serving) continue;
    watched.serving = serving;
    set_serving_(watched.service.health_name, serving);
    if (serving) {
      log::Info("service is serving again", {{"service", watched.service.health_name}});
    } else {
      log::Error("service is NOT_SERVING: it cannot deliver what it accepts",
                 {{"service", watched.service.health_name},
                  {"reasons", absl::StrJoin(causes, "; ")}});
    }
  }
}

}  // namespace breachd::service
