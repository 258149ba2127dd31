#include "services/breachd/suite.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/match.h"
#include "absl/algorithm/container.h"
#include "absl/time/clock.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/service/provider_access.h"
#include "libs/siem/kafka_sink.h"
#include "libs/siem/syslog_sink.h"
#include "services/breachd/service_modules.h"

namespace breachd::suite {

absl::StatusOr<std::unique_ptr<Suite>> Suite::Start(const SuiteConfig& config) {
  std::unique_ptr<Suite> suite(new Suite());
  if (absl::Status opened = suite->Open(config); !opened.ok()) {
    suite->Stop(absl::ZeroDuration());
    return opened;
  }
  return suite;
}

Suite::~Suite() { Stop(); }

namespace {

// "HOST:PORT" a client on this machine dials for a server listening on `listen` at `port`.
std::string LocalEndpoint(const std::string& listen, int port) {
  const std::string host = listen.substr(0, listen.rfind(':'));
  return absl::StrCat(host == "0.0.0.0" || host == "[::]" || host.empty() ? "127.0.0.1" : host,
                      ":", port);
}

}  // namespace

std::string Suite::endpoint() const {
  return LocalEndpoint(config_.listen, server_ ? server_->port() : 0);
}

std::string Suite::metrics_endpoint() const {
  return metrics_ ? LocalEndpoint(config_.metrics_listen, metrics_->port()) : "";
}

std::function<void()> Suite::Notifier(const std::string& name) {
  Hosted& hosted = hosted_.at(name);
  return [&hosted] {
    hosted.relay->Notify();
    for (auto& siem_relay : hosted.siem_relays) siem_relay->Notify();
  };
}

absl::Status Suite::OpenStore(const SuiteConfig& config, const std::string& name) {
  Hosted& hosted = hosted_[name];
  hosted.name = name;
  const std::filesystem::path dir = std::filesystem::path(config.data_dir) / name;
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("cannot create ", dir.string(), ": ",
                                               error.message()));
  }
  eventstore::Options options;
  if (metrics_) options.append_observer = metrics_->AppendObserverFor(name);
  options.signing_key = config.signing_key;
  options.earlier_public_keys = config.earlier_public_keys;
  options.checkpoint_interval = config.checkpoint_interval;
  ASSIGN_OR_RETURN(hosted.store, eventstore::EventStore::Open(dir.string(), options));
  if (config.republish) RETURN_IF_ERROR(hosted.store->RequeueAllForPublish());
  hosted.outbox = std::make_unique<service::StoreOutbox>(*hosted.store);
  ASSIGN_OR_RETURN(hosted.relay, bus::OutboxRelay::Start(bus_, *hosted.outbox));
  return StartSiemRelays(hosted);
}

absl::Status Suite::OpenKeyring() {
  std::string master_file = config_.master_key_file;
  absl::StatusOr<std::string> master = privacy::LoadMasterKey(master_file);
  if (absl::IsNotFound(master.status()) && master_file.empty()) {
    // Encryption is never off; without a key of its own breachd keeps one beside the data,
    // which still shreds (erasing destroys the wrapped data key) but does not protect a stolen
    // disk.
    const std::filesystem::path dir = std::filesystem::path(config_.data_dir) / "secrets";
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, error);
    master_file = (dir / "master.key").string();
    master = privacy::LoadOrCreateMasterKey(master_file);
    log::Warn("no --master_key_file nor $BREACHD_MASTER_KEY: the master key is kept beside the "
              "data; keep it on another disk in production",
              {{"master_key_file", master_file}});
  }
  if (!master.ok()) return master.status();
  ASSIGN_OR_RETURN(std::unique_ptr<privacy::MasterKeyWrapper> wrapper,
                   privacy::MasterKeyWrapper::FromKey(*master));
  const std::string dir = config_.keyring_dir.empty()
                              ? (std::filesystem::path(config_.data_dir) / "keyring").string()
                              : config_.keyring_dir;
  ASSIGN_OR_RETURN(keyring_, privacy::Keyring::Open(dir, std::move(wrapper)));
  cipher_ = std::make_unique<privacy::FieldCipher>(*keyring_);
  return absl::OkStatus();
}

absl::Status Suite::StartSiemRelays(Hosted& hosted) {
  const std::filesystem::path dir = std::filesystem::path(config_.data_dir) / "siem";
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("cannot create ", dir.string(), ": ",
                                               error.message()));
  }
  auto checkpoint = [&](const std::string& sink) {
    return siem::SiemCheckpoint((dir / absl::StrCat(hosted.name, ".", sink, ".position")).string());
  };
  if (config_.siem) {
    ASSIGN_OR_RETURN(std::unique_ptr<siem::KafkaSink> sink, siem::KafkaSink::Create(bus_));
    ASSIGN_OR_RETURN(auto relay,
                     siem::SiemRelay::Start(*hosted.store, std::move(sink), checkpoint("kafka")));
    hosted.siem_relays.push_back(std::move(relay));
  }
  if (!config_.siem_syslog.empty()) {
    // A relay of its own: a slow or absent collector never holds up the Kafka feed.
    siem::SyslogSinkOptions options;
    ASSIGN_OR_RETURN(options.target, siem::ParseSyslogTarget(config_.siem_syslog));
    options.ca_file = config_.siem_syslog_ca;
    ASSIGN_OR_RETURN(std::unique_ptr<siem::SyslogSink> sink, siem::SyslogSink::Create(options));
    ASSIGN_OR_RETURN(auto relay,
                     siem::SiemRelay::Start(*hosted.store, std::move(sink), checkpoint("syslog")));
    hosted.siem_relays.push_back(std::move(relay));
  }
  return absl::OkStatus();
}

absl::Status Suite::Open(const SuiteConfig& requested) {
  config_ = requested;
  if (absl::Status hostable = CheckHostable(config_.services); !hostable.ok()) return hostable;
  if (config_.identity_file.empty()) {
    config_.identity_file = (std::filesystem::path(config_.data_dir) / "identity.json").string();
  }
  std::error_code error;
  std::filesystem::create_directories(config_.data_dir, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("cannot create --data_dir ", config_.data_dir,
                                               ": ", error.message()));
  }
  ASSIGN_OR_RETURN(auth::IdentityStore identities,
                   config_.dev_identity
                       ? auth::IdentityStore::LoadOrCreateDevelopment(config_.identity_file)
                       : auth::IdentityStore::Load(config_.identity_file));
  identities_ = std::make_unique<auth::IdentityStore>(std::move(identities));
  if (config_.token_authenticator) identities_->UseAuthenticator(config_.token_authenticator);

  ASSIGN_OR_RETURN(bus::BusSettings bus, bus::ParseBusFlag(config_.kafka, config_.kafka_properties));
  if (bus.embedded) {
    ASSIGN_OR_RETURN(broker_, bus::EmbeddedBroker::Start());
    bus_ = broker_->Config();

    // The embedded topics start empty; consumers catch up from the stores, not from a
    // re-publication of all history.
    for (const auto& [key, value] : bus.config.extra) bus_.extra[key] = value;
  } else {
    bus_ = bus.config;
  }

  if (!config_.metrics_listen.empty()) {
    ASSIGN_OR_RETURN(metrics_, metrics::Metrics::Start(config_.metrics_listen));
  }
  consumer_bus_ = bus_;
  if (bus.embedded && !consumer_bus_.extra.count("fetch.wait.max.ms")) {
    // librdkafka's mock broker holds an empty fetch for the whole fetch.wait.max.ms instead of
    // answering when data arrives, as a real broker does; keep the wait short (measured in
    // docs/benchmarks.md: p99 594 ms with the 100 ms default at 500 reports/s).
    // (emplace: GCC 12's -Wrestrict misfires on operator[] = "5" here.)
    consumer_bus_.extra.emplace("fetch.wait.max.ms", "5");
  }
  for (const std::string& name : config_.services) RETURN_IF_ERROR(OpenStore(config_, name));
  RETURN_IF_ERROR(OpenKeyring());

  std::vector<grpc::Service*> services;
  std::vector<std::string> health_names;
  for (auto& [name, hosted] : hosted_) {
    const service::ServiceModule* module = FindModule(name);
    if (module == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("no module hosts the service ", name));
    }
    std::map<std::string, std::string> settings = config_.module_settings;
    settings["regimes_dir"] = config_.regimes_dir;
    settings["templates_dir"] = config_.templates_dir;
    service::ServiceContext context{*hosted.store, *identities_, SystemClock::Get(),
                                    Notifier(name), std::move(settings),
                                    cipher_.get()};
    if (config_.partitioned.count(name)) {
      hosted.ownership = std::make_unique<bus::PartitionOwnership>();
      hosted.home_partitioned = module->home_partitioned;
      context.ownership = hosted.ownership.get();
      if (auto fellows = config_.peers.find(name); fellows != config_.peers.end()) {
        context.fellows = fellows->second;
      }
      context.fellow_credentials = config_.transport.client;
    }
    ASSIGN_OR_RETURN(hosted.service, module->create(context));
    for (grpc::Service* served : hosted.service->GrpcServices()) services.push_back(served);
    for (std::string& health_name : hosted.service->HealthNames()) {
      health_names.push_back(std::move(health_name));
    }
  }

  // AdminService records a refusal in the store the refused action would have read.
  std::map<std::string, service::HostedStore> stores;
  for (auto& [name, hosted] : hosted_) stores[name] = {hosted.store.get(), Notifier(name)};
  admin_ = std::make_unique<service::AdminService>(stores, *identities_, SystemClock::Get());
  admin_->SetBackupFolder(config_.backup_dir.empty() ? config_.data_dir + "/backups"
                                                     : config_.backup_dir);
  std::vector<std::string> hosted_names;
  std::vector<std::string> data_versions;
  for (auto& [name, hosted] : hosted_) {
    hosted_names.push_back(name);
    for (std::string& version : hosted.service->DataVersions()) {
      data_versions.push_back(std::move(version));
    }
  }
  admin_->SetHostedVersions(std::move(hosted_names), std::move(data_versions));
  if (config_.signing_key) admin_->SetCheckpointPublicKey(config_.signing_key->public_key());
  for (auto& [name, hosted] : hosted_) {
    if (hosted.service->NewRebuildFold() == nullptr) continue;
    admin_->SetRebuilder(name, [&hosted](const delivery::ProjectionRebuild::Progress& progress) {
      delivery::ProjectionRebuild* rebuild;
      {
        absl::MutexLock lock(&hosted.observer_mu);
        rebuild = hosted.rebuild.get();
      }
      if (rebuild == nullptr) {
        return absl::UnavailableError(
            absl::StrCat("the ", hosted.name, "'s consumer has not started yet; try again"));
      }
      return rebuild->Run(progress);
    });
  }
  admin_->SetDeliveryStatusProvider(
      [this](breach::v1::GetDeliveryStatusResponse* response) {
        return FillDeliveryStatus(response);
      });
  services.push_back(admin_.get());
  health_names.push_back("breach.v1.AdminService");
  // Erasure and retention over every hosted store; the job runs at start and then daily.
  std::map<std::string, privacy::KeeperStore> keeper_stores;
  for (auto& [name, hosted] : hosted_) keeper_stores[name] = {hosted.store.get(), Notifier(name)};
  keeper_ = std::make_unique<privacy::TenantKeeper>(*keyring_, std::move(keeper_stores),
                                                    SystemClock::Get());
  {
    const std::string home = hosted_.count("intake") ? "intake" : hosted_.begin()->first;
    tenants_ = std::make_unique<privacy::TenantService>(*keeper_, home, *hosted_.at(home).store,
                                                        *identities_, SystemClock::Get(),
                                                        Notifier(home));
  }
  services.push_back(tenants_.get());
  health_names.push_back("breach.v1.TenantService");
  keeper_->Start();
  feed_ = std::make_unique<delivery::EventFeedService>(stores, *identities_, SystemClock::Get());
  services.push_back(feed_.get());
  health_names.push_back("breach.v1.EventFeedService");

  ASSIGN_OR_RETURN(server_, grpcutil::ServerHost::Start(
                                config_.listen, config_.transport.server, services, health_names,
                                metrics_ ? metrics_->NewRpcInterceptorFactory() : nullptr));
  if (metrics_) {
    for (const std::string& name : health_names) metrics_->SetServing(name, true);
  }
  // After the server: in one process a consumer catches up from this very server.
  for (auto& [name, hosted] : hosted_) {
    std::optional<service::EventConsumer> consumer = hosted.service->Consumer();
    if (consumer.has_value()) RETURN_IF_ERROR(Subscribe(hosted, *std::move(consumer)));
  }
  // All subscriptions join their groups and catch up at once; then wait for them together
  // (each group's first join takes seconds on the embedded bus).
  const absl::Time started_by = absl::Now() + absl::Seconds(20);
  for (auto& [name, hosted] : hosted_) {
    if (hosted.subscription && !hosted.subscription->AwaitStarted(started_by - absl::Now())) {
      log::Warn(absl::StrCat("the ", name,
                             " has not caught up or joined its group yet; serving anyway"));
    }
  }
  for (auto& [name, hosted] : hosted_) RETURN_IF_ERROR(ServeHomePartitions(hosted));
  StartHealthMonitor();
  if (metrics_) {
    metrics_->SampleDeliveryWith([this](breach::v1::GetDeliveryStatusResponse* response) {
      return FillDeliveryStatus(response);
    });
    metrics_->SampleGaugesWith([this] {
      std::vector<GaugeSample> samples;
      for (auto& [name, hosted] : hosted_) {
        for (GaugeSample& sample : hosted.service->SampleGauges()) {
          samples.push_back(std::move(sample));
        }
      }
      return samples;
    });
  }
  std::vector<std::string> names(config_.services.begin(), config_.services.end());
  log::Info("breachd started", {{"services", absl::StrJoin(names, ",")},
                                {"endpoint", endpoint()},
                                {"metrics_endpoint", metrics_endpoint()},
                                {"bootstrap_servers", bus_.bootstrap_servers},
                                {"data_dir", config_.data_dir}});
  return absl::OkStatus();
}

// Where every breach starts; a consumer without it is misconfigured.
constexpr char kReportingService[] = "intake";

absl::StatusOr<std::map<std::string, std::string>> Suite::SourceAddresses(
    const std::string& consumer) const {
  std::map<std::string, std::string> addresses;
  std::vector<std::string> unreachable;
  for (const std::string& source : PublishingServices()) {
    std::vector<std::string> instances;
    if (auto peer = config_.peers.find(source); peer != config_.peers.end()) {
      instances = peer->second;
    }
    const bool hosted = hosted_.count(source) > 0;
    if (hosted) addresses[source] = endpoint();
    if (instances.empty() && !hosted) unreachable.push_back(source);
    for (const std::string& address : instances) {
      // One instance keeps the service's name (and its checkpoint); several are sources of
      // their own, named by address: a checkpoint is one store's position.
      addresses[instances.size() == 1 && !hosted ? source : absl::StrCat(source, "@", address)] =
          address;
    }
  }
  if (!addresses.count(kReportingService) &&
      !absl::c_any_of(addresses, [](const auto& entry) {
        return absl::StartsWith(entry.first, absl::StrCat(kReportingService, "@"));
      })) {
    // Without the reports there is nothing to consume: a deployment mistake, not a choice.
    return absl::InvalidArgumentError(absl::StrCat(
        "the ", consumer, " consumes the intake service's events, which this process does not "
        "host: give its address with --peers=intake=HOST:PORT"));
  }
  for (const std::string& source : unreachable) {
    // A service not deployed has no events; one deployed elsewhere needs --peers to be caught
    // up from. Said loudly, since its events would reach this consumer only through the bus.
    log::Warn(absl::StrCat("the ", consumer, " has no address for the ", source,
                           " service's store: give --peers=", source,
                           "=HOST:PORT if it runs elsewhere"));
  }
  return addresses;
}

absl::Status Suite::Subscribe(Hosted& hosted, service::EventConsumer consumer) {
  delivery::SubscriptionOptions options;
  options.consumer = hosted.name;
  options.bus.group_id = absl::StrCat("breachd-", hosted.name);
  if (hosted.home_partitioned) {
    // A group of its own (named by its home): the bus brings it every partition, so the other
    // services' events about its breaches arrive at once, not at the next catch-up sweep.
    absl::StrAppend(&options.bus.group_id, "-home-", absl::StrJoin(config_.home_partitions, "_"));
  }
  ASSIGN_OR_RETURN(options.sources, SourceAddresses(hosted.name));
  options.token = config_.service_token;
  if (options.token.empty()) {
    ASSIGN_OR_RETURN(options.token, identities_->ServiceToken());
  }
  options.credentials = config_.transport.client;
  options.sweep_interval = config_.sweep_interval;
  // Fixed partitions are not the group's to hand out: the consumer applies every event (its
  // rows exist only for the breaches it holds) and ServeHomePartitions sets the ownership.
  options.ownership = hosted.home_partitioned ? nullptr : hosted.ownership.get();
  options.unpartitioned_prefixes = consumer.unpartitioned_stream_prefixes;
  delivery::ConsumerHooks hooks;
  hooks.apply = [this, &hosted, apply = std::move(consumer.apply)](
                    const breach::v1::EventEnvelope& event) -> absl::StatusOr<bool> {
    // An erasure carried out by another process reaches every store and keyring (before the
    // module's apply marks the event applied, so a failure is retried).
    RETURN_IF_ERROR(keeper_->Follow(hosted.name, event));
    // Every service keeps each breach's provider access for its read boundary
    // (libs/service/personal_data.h); the service that recorded it already has it.
    if (event.source() != hosted.name) {
      ASSIGN_OR_RETURN(auto access_row, service::AccessRowFor(*hosted.store, event));
      if (access_row) RETURN_IF_ERROR(hosted.store->WriteProjection({*access_row}, false));
    }
    ASSIGN_OR_RETURN(bool applied, apply(event));
    if (applied) {
      absl::MutexLock lock(&hosted.observer_mu);
      if (hosted.applied_observer) hosted.applied_observer(event);
    }
    return applied;
  };
  hooks.make_durable = std::move(consumer.make_durable);
  ASSIGN_OR_RETURN(hosted.subscription, delivery::Subscription::Start(
                                            consumer_bus_, std::move(options), *hosted.store,
                                            std::move(hooks)));
  service::HostedService* served = hosted.service.get();
  absl::MutexLock lock(&hosted.observer_mu);
  hosted.rebuild = std::make_unique<delivery::ProjectionRebuild>(
      hosted.name, *hosted.store, *hosted.subscription,
      [served] { return served->NewRebuildFold(); });
  return absl::OkStatus();
}

absl::Status Suite::ServeHomePartitions(Hosted& hosted) {
  if (!hosted.home_partitioned) return absl::OkStatus();
  const int32_t count = hosted.subscription ? hosted.subscription->PartitionCount() : 0;
  if (count <= 0) {
    return absl::UnavailableError(absl::StrCat(
        "the ", hosted.name, " cannot place breaches: the bus did not say how many partitions "
        "breach.events.v1 has (is it reachable?)"));
  }
  for (int32_t partition : config_.home_partitions) {
    if (partition >= count) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--home_partitions: partition ", partition, " is not one of breach.events.v1's ", count));
    }
  }
  // Its own store is the home of these partitions' streams: nothing to catch up from elsewhere.
  hosted.ownership->Assign(config_.home_partitions, count);
  hosted.ownership->MarkCaughtUp(config_.home_partitions);
  log::Info("serving home partitions", {{"service", hosted.name},
                                        {"partitions", absl::StrJoin(config_.home_partitions, ",")},
                                        {"partition_count", absl::StrCat(count)}});
  return absl::OkStatus();
}

void Suite::SetAppliedObserver(const std::string& service, AppliedObserver observer) {
  auto it = hosted_.find(service);
  if (it == hosted_.end()) return;
  absl::MutexLock lock(&it->second.observer_mu);
  it->second.applied_observer = std::move(observer);
}

absl::Status Suite::FillDeliveryStatus(breach::v1::GetDeliveryStatusResponse* response) {
  for (auto& [name, hosted] : hosted_) {
    if (hosted.subscription) {
      for (auto& row : hosted.subscription->Status()) *response->add_sources() = std::move(row);
      ASSIGN_OR_RETURN(auto parked, hosted.subscription->Parked());
      for (auto& event : parked) *response->add_parked() = std::move(event);
    }
    breach::v1::OutboxDelivery* outbox = response->add_outboxes();
    outbox->set_service(name);
    // Counted up to 10,000: the status must stay cheap when a broker is down for long.
    ASSIGN_OR_RETURN(auto pending, hosted.store->PendingOutbox(10'000));
    outbox->set_pending(pending.size());
    if (hosted.relay) {
      const bus::OutboxRelayCounters counters = hosted.relay->counters();
      outbox->set_published(counters.published);
      outbox->set_errors(counters.errors);
      outbox->set_parked(counters.parked);
    }
    for (const auto& siem_relay : hosted.siem_relays) {
      const siem::SiemRelayCounters counters = siem_relay->counters();
      breach::v1::SiemDelivery* feed = response->add_siem();
      feed->set_service(name);
      feed->set_sink(siem_relay->sink_name());
      feed->set_published(counters.published);
      feed->set_errors(counters.errors);
      feed->set_delivered_through(counters.checkpoint);
      feed->set_store_head(hosted.store->LastPosition());
    }
  }
  return absl::OkStatus();
}

void Suite::StartHealthMonitor() {
  // Every health name of a hosted service follows whether its store and relay can deliver.
  std::vector<service::MonitoredService> monitored;
  for (auto& [name, hosted] : hosted_) {
    eventstore::EventStore* store = hosted.store.get();
    bus::OutboxRelay* relay = hosted.relay.get();
    delivery::Subscription* subscription = hosted.subscription.get();
    for (const std::string& health_name : hosted.service->HealthNames()) {
      monitored.push_back({health_name, [store, relay, subscription] {
                             service::HealthSample sample =
                                 service::SampleStoreAndRelay(*store, *relay);
                             if (subscription != nullptr) {
                               auto parked = subscription->Parked();
                               if (parked.ok()) sample.consumer_parked = parked->size();
                             }
                             return sample;
                           }});
    }
  }
  grpc::HealthCheckServiceInterface* health = server_->health();
  metrics::Metrics* metrics = metrics_.get();
  health_ = std::make_unique<service::HealthMonitor>(
      std::move(monitored),
      [health, metrics](const std::string& name, bool serving) {
        health->SetServingStatus(name, serving);
        if (metrics) metrics->SetServing(name, serving);
      },
      SystemClock::Get());
  health_->Start();
}

void Suite::Stop(absl::Duration grace) {
  if (stopped_) return;
  stopped_ = true;
  if (health_) health_->Stop();  // before what it samples and sets goes away
  metrics_.reset();  // no scrape samples the stores from here on
  // Subscriptions before the server: a catch-up may be reading from this very server.
  for (auto& [name, hosted] : hosted_) {
    if (hosted.subscription) hosted.subscription->Stop();
  }
  if (server_) server_->Shutdown(grace);
  for (auto& [name, hosted] : hosted_) {
    if (hosted.relay) hosted.relay->Stop();
    for (auto& siem_relay : hosted.siem_relays) siem_relay->Stop();
  }
  server_.reset();
  hosted_.clear();
  broker_.reset();
  log::Info("breachd stopped");
}

}  // namespace breachd::suite
