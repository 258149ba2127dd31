// What one breachd process hosts and how it is wired; filled from flags by main.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/auth/authenticator.h"
#include "libs/eventstore/signing_key.h"
#include "libs/grpcutil/tls.h"

namespace breachd::suite {

struct SuiteConfig {
  std::set<std::string> services;  // names of modules (service_modules.h)
  std::string listen = "127.0.0.1:50051";
  // Prometheus endpoint (GET /metrics); empty: none. Port 0 picks a free one.
  std::string metrics_listen;
  std::string data_dir = "var/breachd";
  // Where `breachctl admin backup` writes (<backup_dir>/<service>); default <data_dir>/backups.
  std::string backup_dir;
  std::string kafka = "embedded";  // or bootstrap.servers
  std::vector<std::string> kafka_properties;  // extra librdkafka "key=value"
  std::string identity_file;  // default: <data_dir>/identity.json
  // Development identity: create the identity file (a provider operator, a demo school and
  // their tokens) when it does not exist. Without it a missing file is an error.
  bool dev_identity = false;
  // Signed bearer tokens (auth/jwt_authenticator.h) instead of the identity file's tokens; the
  // file still lists the tenants. nullptr: the file's tokens.
  std::shared_ptr<const auth::Authenticator> token_authenticator;
  // The token this process presents to its peers for catch-up (role "service"); empty: the
  // identity file's service token.
  std::string service_token;
  // TLS or, explicitly, plaintext, for the server port and for calls to other services. Must be
  // set (transport_setup.h builds it from flags; tests use grpcutil::InsecureTransport()).
  grpcutil::TransportSecurity transport;
  // Put every stored event back in the outbox at start: an operator's tool (for a consumer
  // outside breachd that needs history). breachd's own consumers catch up from the stores.
  bool republish = false;
  // gRPC addresses of the services this process does not host but consumes (catch-up reads),
  // by service: several for a service run as several instances (each a source of its own),
  // and, for a hosted service, its fellow instances.
  std::map<std::string, std::vector<std::string>> peers;
  // Hosted services whose instances split the breaches by partition of breach.events.v1
  // (docs/scaling.md); each must be partitionable.
  std::set<std::string> partitioned;
  // The partitions of breach.events.v1 this instance is the home of, for a partitioned service
  // whose partitions are fixed (the intake: ServiceModule::home_partitioned).
  std::vector<int32_t> home_partitions;
  // Data files of the regulatory engine (assessment); empty: $BREACHD_DATA_DIR/regimes,
  // ./regimes, then the source tree's (likewise templates).
  std::string regimes_dir;
  std::string templates_dir;
  // Further module settings by name (the notification service's channels: smtp_config,
  // webhook_secret_file, webhook_ca_file, authority_address, dispatch_rate); empty values are
  // the module's defaults.
  std::map<std::string, std::string> module_settings;
  // The SIEM feed (docs/siem.md): every event of every hosted store as an ECS document on
  // breach.siem.v1, from a checkpoint per store under <data_dir>/siem.
  bool siem = true;
  // CEF over RFC 5424 syslog to a collector: "tcp://HOST:PORT" or "tls://HOST:PORT"; empty: none.
  std::string siem_syslog;
  // CA (PEM) that verifies a tls:// collector; empty: the system's roots.
  std::string siem_syslog_ca;

  // Signs every hosted store's checkpoints (docs/event-store.md, "Signed checkpoints") and is
  // the key whole-store verification trusts. nullptr: stores are not signed.
  std::shared_ptr<const eventstore::SigningKey> signing_key;
  // The keys `signing_key` replaced, oldest first (a verified key chain): their checkpoints
  // still verify.
  std::vector<std::string> earlier_public_keys;
  absl::Duration checkpoint_interval = absl::Minutes(1);
  // The schools' data keys (libs/privacy/keyring.h): one folder every process of a deployment
  // shares; default <data_dir>/keyring.
  std::string keyring_dir;
  // The master key that wraps them: 64 hex digits in this file; empty: $BREACHD_MASTER_KEY,
  // else <data_dir>/secrets/master.key, created on first start (with a warning).
  std::string master_key_file;
  // How often consumers check every source store for events the bus did not bring.
  absl::Duration sweep_interval = absl::Seconds(5);
};

// The services this build can host: one per module (service_modules.h). A service without a
// module cannot be hosted.
std::vector<std::string> HostableServices();

// Services whose events others consume (each serves its store for catch-up).
std::vector<std::string> PublishingServices();

// "intake=HOST:PORT,register=HOST:PORT" (publishing services only); a service named again is
// another instance of it. INVALID_ARGUMENT names a bad or repeated entry. An entry whose address
// is `self` (this instance, as its peers reach it) is left out, so that every replica of a
// StatefulSet can be given the same list.
absl::StatusOr<std::map<std::string, std::vector<std::string>>> ParsePeers(
    const std::string& flag, const std::string& self = "");

// "register" or a list: hosted services to run partitioned. INVALID_ARGUMENT names one that is
// not hosted or cannot be partitioned.
absl::StatusOr<std::set<std::string>> ParsePartitioned(const std::string& flag,
                                                       const std::set<std::string>& hosted);

// "0-2,5": the partitions this instance is the home of (each 0..9999), sorted, each once.
// Required when `partitioned` has a service with fixed partitions (the intake), refused
// otherwise; INVALID_ARGUMENT names the bad part.
absl::StatusOr<std::vector<int32_t>> ParseHomePartitions(const std::string& flag,
                                                         const std::set<std::string>& partitioned);

// "all" (every hostable service) or a comma-separated list such as "intake,register".
// INVALID_ARGUMENT names a service this build cannot host.
absl::StatusOr<std::set<std::string>> ParseServices(const std::string& flag);

// OK if `services` is a non-empty subset of HostableServices(); INVALID_ARGUMENT names the first that
// is not.
absl::Status CheckHostable(const std::set<std::string>& services);

}  // namespace breachd::suite
