// Health that tells the truth: a service that accepts reports it cannot deliver is not serving.
// Every second the monitor samples each hosted service's store and relay and sets the service's
// gRPC health status to NOT_SERVING while any cause holds (events parked, the store refusing
// writes, the relay stuck), back to SERVING when none does, logging the reason on each change.
// The verdict is HealthJudge's, a pure function of samples and times, tested with a FakeClock.
#pragma once

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/bus/outbox_relay.h"
#include "libs/common/clock.h"
#include "libs/eventstore/event_store.h"

namespace breachd::service {

// What the monitor reads about one hosted service in one round.
struct HealthSample {
  absl::Status reads;           // OK, or why the store could not be sampled
  uint64_t parked = 0;          // events the bus refused for good
  absl::Status writes;          // EventStore::ResumeWrites(): OK, or why writes are refused
  bool outbox_pending = false;  // events wait for the relay
  uint64_t published = 0;       // the relay's published counter
  uint64_t consumer_parked = 0; // events this service's consumer could not apply for good
};

struct HealthPolicy {
  // Events pending and none published for this long: the relay is stuck (a broker outage longer
  // than this counts too: what is reported now does not reach the register).
  absl::Duration relay_stall = absl::Seconds(30);
};

// Judges one service from successive samples; remembers when its relay last made progress.
class HealthJudge {
 public:
  explicit HealthJudge(HealthPolicy policy = {}) : policy_(policy) {}
  // Why the service is not serving, one phrase per cause; empty means serving.
  std::vector<std::string> Causes(const HealthSample& sample, absl::Time now);

 private:
  HealthPolicy policy_;
  bool seen_ = false;
  uint64_t last_published_ = 0;
  absl::Time last_progress_;
};

// Reads a store and its relay for the judge. Also asks a store that refuses writes to resume.
HealthSample SampleStoreAndRelay(eventstore::EventStore& store, const bus::OutboxRelay& relay);

struct MonitoredService {
  std::string health_name;  // as registered in the health service, e.g. "breach.v1.IntakeService"
  std::function<HealthSample()> sample;
};

// Sets a health name SERVING (true) or NOT_SERVING (false).
using SetServing = std::function<void(const std::string& health_name, bool serving)>;

class HealthMonitor {
 public:
  // Every service starts out SERVING (as ServerHost registers them); only changes are set.
  HealthMonitor(std::vector<MonitoredService> services, SetServing set_serving, const Clock& clock,
                HealthPolicy policy = {});
  ~HealthMonitor();  // Stop()
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  // Runs CheckNow every `interval` on a thread of its own until Stop.
  void Start(absl::Duration interval = absl::Seconds(1));
  // Joins the thread. Idempotent.
  void Stop();
  // One round: samples and judges every service, sets and logs the changes.
  void CheckNow();

 private:
  struct Watched {
    MonitoredService service;
    HealthJudge judge;
    bool serving = true;
  };

  SetServing set_serving_;
  const Clock& clock_;
  absl::Mutex round_mu_;  // one round at a time
  std::vector<Watched> watched_ ABSL_GUARDED_BY(round_mu_);

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace breachd::service
