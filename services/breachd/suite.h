// A running set of breach services in one process: their stores, gRPC server, outbox relays
// and bus consumers, plus the embedded Kafka-protocol broker when asked for. Even here the
// services share nothing but the bus and gRPC: each has its own store and folder.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/auth/identity_store.h"
#include "libs/bus/bus.h"
#include "libs/bus/consumer_loop.h"
#include "libs/bus/embedded_broker.h"
#include "libs/bus/outbox_relay.h"
#include "libs/bus/partition_ownership.h"
#include "libs/delivery/event_feed_service.h"
#include "libs/delivery/projection_rebuild.h"
#include "libs/delivery/subscription.h"
#include "libs/eventstore/event_store.h"
#include "libs/grpcutil/server_host.h"
#include "libs/metrics/metrics.h"
#include "libs/privacy/field_cipher.h"
#include "libs/privacy/keyring.h"
#include "libs/privacy/tenant_keeper.h"
#include "libs/privacy/tenant_service.h"
#include "libs/service/admin_service.h"
#include "absl/synchronization/mutex.h"
#include "libs/service/health_monitor.h"
#include "libs/service/hosted_service.h"
#include "libs/service/store_outbox.h"
#include "libs/siem/siem_relay.h"
#include "services/breachd/suite_config.h"

namespace breachd::suite {

class Suite {
 public:
  static absl::StatusOr<std::unique_ptr<Suite>> Start(const SuiteConfig& config);
  ~Suite();

  // "127.0.0.1:PORT" of the gRPC server.
  std::string endpoint() const;
  // "127.0.0.1:PORT" of the Prometheus endpoint; empty without one (SuiteConfig::metrics_listen).
  std::string metrics_endpoint() const;
  // bootstrap.servers of the bus in use.
  const std::string& bootstrap_servers() const { return bus_.bootstrap_servers; }
  const auth::IdentityStore& identities() const { return *identities_; }
  // The partitions a partitioned hosted service holds; nullptr if it is not partitioned.
  const bus::PartitionOwnership* ownership(const std::string& service) const {
    auto it = hosted_.find(service);
    return it == hosted_.end() ? nullptr : it->second.ownership.get();
  }
  // Called after each event a hosted consuming service newly applied (not for duplicates), on
  // its consumer thread; nullptr to stop. For metrics and benchmarks. No-op if not hosted.
  using AppliedObserver = std::function<void(const breach::v1::EventEnvelope& event)>;
  void SetAppliedObserver(const std::string& service, AppliedObserver observer);
  // The cipher of the personal data (tests read what the stores hold, and open it).
  privacy::FieldCipher& cipher() { return *cipher_; }
  // The store of a hosted service (nullptr if not hosted), e.g. to check what a call wrote.
  eventstore::EventStore* store(const std::string& service) const {
    auto it = hosted_.find(service);
    return it == hosted_.end() ? nullptr : it->second.store.get();
  }

  // Drains: stops taking calls (in-flight ones get `grace`), stops consumers, flushes relays.
  void Stop(absl::Duration grace = absl::Seconds(10));

 private:
  // One hosted service: its durable side and what its module built on it.
  struct Hosted {
    std::string name;
    std::unique_ptr<eventstore::EventStore> store;
    std::unique_ptr<service::StoreOutbox> outbox;
    std::unique_ptr<bus::OutboxRelay> relay;
    std::vector<std::unique_ptr<siem::SiemRelay>> siem_relays;  // Kafka, then syslog
    std::unique_ptr<bus::PartitionOwnership> ownership;  // when partitioned
    // Its partitions are fixed (SuiteConfig::home_partitions), not the consumer group's.
    bool home_partitioned = false;
    std::unique_ptr<service::HostedService> service;
    std::unique_ptr<delivery::Subscription> subscription;  // for a consuming service
    // `breachctl admin rebuild`, once the subscription runs (set under observer_mu).
    std::unique_ptr<delivery::ProjectionRebuild> rebuild ABSL_GUARDED_BY(observer_mu);
    absl::Mutex observer_mu;
    AppliedObserver applied_observer ABSL_GUARDED_BY(observer_mu);
  };

  Suite() = default;
  absl::Status Open(const SuiteConfig& config);
  absl::Status OpenStore(const SuiteConfig& config, const std::string& name);
  // The keyring and the cipher every hosted service seals personal data with.
  absl::Status OpenKeyring();
  std::function<void()> Notifier(const std::string& name);
  // The SIEM relays of one store (SuiteConfig::siem, siem_syslog).
  absl::Status StartSiemRelays(Hosted& hosted);
  // A service with fixed partitions serves them once the topic's partition count is known
  // (from the bus): INVALID_ARGUMENT for a partition the topic does not have.
  absl::Status ServeHomePartitions(Hosted& hosted);
  // Subscribes a consuming service to every publishing service (bus + catch-up from their
  // stores).
  absl::Status Subscribe(Hosted& hosted, service::EventConsumer consumer);
  // The gRPC address of each publishing service's store, for `consumer`.
  absl::StatusOr<std::map<std::string, std::string>> SourceAddresses(
      const std::string& consumer) const;
  absl::Status FillDeliveryStatus(breach::v1::GetDeliveryStatusResponse* response);
  // Keeps each served service's health status true to whether it can deliver (health_monitor.h).
  void StartHealthMonitor();

  SuiteConfig config_;
  std::unique_ptr<metrics::Metrics> metrics_;  // first: whatever records into it goes before
  std::unique_ptr<bus::EmbeddedBroker> broker_;
  bus::BusConfig bus_;
  bus::BusConfig consumer_bus_;  // bus_ with consumer-only tuning
  std::unique_ptr<auth::IdentityStore> identities_;
  std::unique_ptr<privacy::Keyring> keyring_;     // before the services that seal with it
  std::unique_ptr<privacy::FieldCipher> cipher_;
  std::map<std::string, Hosted> hosted_;
  std::unique_ptr<privacy::TenantKeeper> keeper_;  // after the stores it records into
  std::unique_ptr<privacy::TenantService> tenants_;
  std::unique_ptr<service::AdminService> admin_;
  std::unique_ptr<delivery::EventFeedService> feed_;
  std::unique_ptr<grpcutil::ServerHost> server_;
  std::unique_ptr<service::HealthMonitor> health_;
  bool stopped_ = false;
};

}  // namespace breachd::suite
