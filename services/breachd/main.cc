// breachd: hosts any subset of the breach services in one process.
//   breachd --services=all --listen=127.0.0.1:50051 --data_dir=var/breachd --kafka=embedded
//     --tls_cert=server.pem --tls_key=server-key.pem
// Development (tools/dev/up): --dev_tls --dev_identity make a local CA and an identity file.
// Prints the endpoint (and, in development, how to connect), serves until SIGTERM/SIGINT, then
// drains.
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/ascii.h"
#include "absl/synchronization/mutex.h"
#include "libs/auth/jwt_authenticator.h"
#include "libs/common/clock.h"
#include "libs/common/files.h"
#include "libs/common/log.h"
#include "libs/eventstore/key_chain.h"
#include "libs/eventstore/signing_key.h"
#include "nlohmann/json.hpp"
#include "services/breachd/metrics_listen.h"
#include "services/breachd/suite.h"
#include "services/breachd/transport_setup.h"

ABSL_FLAG(std::string, services, "all",
          "Services to host: all, or a list of intake,assessment,register");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "gRPC listen address (port 0 picks one)");
ABSL_FLAG(std::string, metrics_listen, "",
          "Prometheus endpoint (GET /metrics), or off. Default 127.0.0.1:9464, or 127.0.0.1:0 "
          "(a free port) when --listen's port is 0");
ABSL_FLAG(std::string, data_dir, "var/breachd", "Folder for the stores (one subfolder per service)");
ABSL_FLAG(std::string, kafka, "embedded",
          "'embedded' runs librdkafka's mock cluster in-process; anything else is bootstrap.servers");
ABSL_FLAG(std::vector<std::string>, kafka_property, {},
          "Extra librdkafka properties, comma-separated key=value (e.g. security.protocol=ssl)");
ABSL_FLAG(std::string, identity_file, "",
          "Tenants and bearer tokens (JSON); default <data_dir>/identity.json");
ABSL_FLAG(bool, dev_identity, false,
          "Development: create the identity file (an operator, a demo school, their tokens) when "
          "missing and print its tokens; without it a missing identity file is an error");
ABSL_FLAG(std::string, tls_cert, "", "Server certificate chain (PEM) for TLS on the gRPC port");
ABSL_FLAG(std::string, tls_key, "", "Private key (PEM) of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "Mutual TLS: callers must present a certificate signed by this CA (PEM); calls to "
          "peers then present --tls_cert");
ABSL_FLAG(std::string, tls_ca, "",
          "CA (PEM) that verifies the peers this process calls (--peers, its own port); default "
          "the development CA with --dev_tls, else the system's roots");
ABSL_FLAG(bool, dev_tls, false,
          "Development: TLS with a local CA and a certificate for 127.0.0.1/localhost, created "
          "in <data_dir>/tls on first start");
ABSL_FLAG(std::string, jwks, "",
          "Signed bearer tokens (JWT, RS256/ES256): the identity provider's keys, a JWKS file or "
          "a folder of PEM public keys named <kid>.pem; the identity file then lists tenants only");
ABSL_FLAG(std::string, jwt_issuer, "", "The \"iss\" every signed token must carry (with --jwks)");
ABSL_FLAG(std::string, jwt_audience, "", "An \"aud\" every signed token must carry (with --jwks)");
ABSL_FLAG(int, jwt_clock_skew_seconds, 60, "Leeway for \"exp\" and \"nbf\" (with --jwks)");
ABSL_FLAG(std::string, service_token_file, "",
          "File holding the token this process presents to its peers for catch-up (role "
          "\"service\"); default: the identity file's service token");
ABSL_FLAG(std::string, master_key_file, "",
          "The master key (64 hex digits, mode 0600) that wraps every school's data key; default "
          "$BREACHD_MASTER_KEY, else <data_dir>/secrets/master.key, created with a warning");
ABSL_FLAG(std::string, keyring_dir, "",
          "Folder of the schools' wrapped data keys, shared by every process of a deployment; "
          "default <data_dir>/keyring");
ABSL_FLAG(std::string, signing_key_file, "",
          "Ed25519 key (64 hex digits) the stores sign their checkpoints with; its public key "
          "is written beside it as <file>.pub. Default with --dev_identity or --dev_tls: "
          "<data_dir>/signing/checkpoint.key, created on first start; otherwise unsigned");
ABSL_FLAG(int, checkpoint_interval_seconds, 60,
          "How often each store signs a checkpoint while events arrive (and at close)");
ABSL_FLAG(bool, insecure, false, "Plaintext gRPC (no TLS): only for tests and local experiments");
ABSL_FLAG(bool, republish, false,
          "Re-publish every stored event at start: an operator's tool for consumers outside "
          "breachd; breachd's own consumers catch up from the stores without it");
ABSL_FLAG(std::string, peers, "",
          "gRPC address of each consumed service this process does not host, e.g. "
          "intake=10.0.0.5:50051 (the register catches up from the intake store); a service "
          "named twice runs as two instances, e.g. intake=10.0.0.5:50051,intake=10.0.0.6:50051; "
          "for a --partitioned service, its other instances");
ABSL_FLAG(std::string, self_address, "",
          "This instance's address as its peers reach it (e.g. "
          "$(POD_NAME).breachd-pods-register:50051 in Kubernetes): left out of --peers, so that "
          "every replica of a StatefulSet is given the same --peers list");
ABSL_FLAG(std::string, partitioned, "",
          "Hosted services whose instances split the breaches by partition of breach.events.v1 "
          "(register, intake); each instance holds and serves its partitions' breaches and "
          "forwards requests for others to its --peers (docs/scaling.md)");
ABSL_FLAG(std::string, home_partitions, "",
          "With --partitioned=intake: the partitions of breach.events.v1 this intake instance is "
          "the home of, e.g. 0-5 (each instance its own, together every partition once); its "
          "store holds their reports, and a new report's id is drawn in one of them");
ABSL_FLAG(std::string, regimes_dir, "",
          "Regime files of the assessment service; default $BREACHD_DATA_DIR/regimes, ./regimes, "
          "or the source tree's");
ABSL_FLAG(std::string, templates_dir, "",
          "Draft templates of the assessment and notification services (defaults as "
          "--regimes_dir)");
ABSL_FLAG(std::string, smtp_config, "",
          "JSON file of the SMTP server for e-mail and PEC (url, username, password_file, "
          "ca_file, from); see docs/notification.md. Unset: e-mail deliveries fail, saying so");
ABSL_FLAG(std::string, webhook_secret_file, "",
          "File holding the HMAC-SHA256 key that signs webhook deliveries (>= 16 characters)");
ABSL_FLAG(std::string, webhook_ca_file, "", "PEM CAs to trust for webhook endpoints (default: system)");
ABSL_FLAG(std::string, authority_address, "protocollo@pec.gpdp.it",
          "Where authority notifications go (the Garante's PEC address)");
ABSL_FLAG(std::string, fanout_batch_pause_ms, "0",
          "Pause between two batches of an incident's fan-out, in milliseconds (tests: to stop "
          "breachd in the middle of a fan-out); 0 in production");
ABSL_FLAG(std::string, dispatch_rate, "20", "Messages per second to data subjects (0.1..1000)");
ABSL_FLAG(std::string, dispatch_backoff_seconds, "30",
          "Wait before a failed delivery's first retry (1..3600); doubles per attempt, at most "
          "an hour, 6 attempts");
ABSL_FLAG(std::string, backup_dir, "",
          "Where `breachctl admin backup` writes each hosted store's backups (<dir>/<service>); "
          "default <data_dir>/backups. Put it on another disk.");
ABSL_FLAG(std::string, ready_file, "",
          "When set, write {\"endpoint\":...,\"bootstrap_servers\":...} here once serving");
ABSL_FLAG(bool, siem, true,
          "Publish every event of every hosted store to breach.siem.v1 as an ECS document "
          "without personal data (docs/siem.md); --nosiem turns it off");
ABSL_FLAG(std::string, siem_syslog, "",
          "Also send every event as a CEF line over RFC 5424 syslog to a collector: "
          "tcp://HOST:PORT or tls://HOST:PORT (docs/siem.md)");
ABSL_FLAG(std::string, siem_syslog_ca, "",
          "CA (PEM) that verifies a tls:// --siem_syslog collector; default the system's roots");
ABSL_FLAG(int, drain_seconds, 10, "How long in-flight calls may run after SIGTERM");

namespace {

void PrintWelcome(const breachd::suite::Suite& suite,
                  const breachd::suite::PreparedTransport& transport, bool dev_identity,
                  const breachd::suite::SuiteConfig& config) {
  std::printf("\nbreachd is ready.\n  endpoint:          %s (%s)\n  metrics:           %s\n"
              "  bootstrap servers: %s\n",
              suite.endpoint().c_str(), transport.security.insecure ? "plaintext" : "TLS",
              suite.metrics_endpoint().c_str(), suite.bootstrap_servers().c_str());
  std::printf("  checkpoint key:    %s\n\n",
              config.signing_key ? breachd::eventstore::ToHex(config.signing_key->public_key()).c_str()
                                 : "none (stores are not signed)");
  std::string connect;
  if (transport.security.insecure) {
    connect = " BREACHCTL_INSECURE=1";
  } else if (!transport.dev_ca_file.empty()) {
    connect = absl::StrCat(" BREACHCTL_CACERT=", transport.dev_ca_file);
  }
  if (!dev_identity) {
    std::printf("Connect with:\n  export BREACHCTL_ENDPOINT=%s%s\n\n", suite.endpoint().c_str(),
                connect.c_str());
    std::fflush(stdout);
    return;
  }
  // The people's tokens once, when the file is made; never the services' own token.
  if (!suite.identities().created()) {
    std::printf("Development tokens: in %s (shown only on the start that made it)\n\n"
                "Connect with:\n  export BREACHCTL_ENDPOINT=%s%s\n\n",
                suite.identities().path().c_str(), suite.endpoint().c_str(), connect.c_str());
    std::fflush(stdout);
    return;
  }
  std::printf("Development tokens (a new %s; shown this once):\n",
              suite.identities().path().c_str());
  std::string first_token;
  for (const auto& grant : suite.identities().grants()) {
    if (grant.principal.HasRole(breachd::auth::kRoleService)) continue;
    std::printf("  %-18s %-18s %-12s %s\n", grant.principal.subject.c_str(),
                absl::StrJoin(grant.principal.roles, ",").c_str(), grant.principal.tenant.c_str(),
                grant.token.c_str());
    if (first_token.empty()) first_token = grant.token;
  }
  std::printf("\nTry:\n  export BREACHCTL_ENDPOINT=%s%s BREACHCTL_TOKEN=%s\n"
              "  build/bin/breachctl breach list\n\n",
              suite.endpoint().c_str(), connect.c_str(), first_token.c_str());
  std::fflush(stdout);
}

// --jwks and friends: signed tokens instead of the identity file's; --service_token_file.
absl::Status ConfigureSignedTokens(breachd::suite::SuiteConfig& config) {
  const std::string jwks = absl::GetFlag(FLAGS_jwks);
  if (!jwks.empty()) {
    breachd::auth::JwtPolicy policy;
    policy.issuer = absl::GetFlag(FLAGS_jwt_issuer);
    policy.audience = absl::GetFlag(FLAGS_jwt_audience);
    policy.clock_skew = absl::Seconds(absl::GetFlag(FLAGS_jwt_clock_skew_seconds));
    auto authenticator = breachd::auth::JwtAuthenticator::Load(jwks, std::move(policy),
                                                                breachd::SystemClock::Get());
    if (!authenticator.ok()) return authenticator.status();
    config.token_authenticator =
        std::make_shared<breachd::auth::JwtAuthenticator>(*std::move(authenticator));
  } else if (!absl::GetFlag(FLAGS_jwt_issuer).empty() ||
             !absl::GetFlag(FLAGS_jwt_audience).empty()) {
    return absl::InvalidArgumentError("--jwt_issuer and --jwt_audience need --jwks");
  }
  const std::string service_token_file = absl::GetFlag(FLAGS_service_token_file);
  if (!service_token_file.empty()) {
    auto token = breachd::ReadWholeFile(service_token_file);
    if (!token.ok()) return token.status();
    config.service_token = std::string(absl::StripAsciiWhitespace(*token));
  }
  return absl::OkStatus();
}

// --signing_key_file, or the development key: what signs the stores' checkpoints.
absl::Status ConfigureSigning(breachd::suite::SuiteConfig& config, bool development) {
  std::string path = absl::GetFlag(FLAGS_signing_key_file);
  const bool create = path.empty() && development;
  if (create) path = (std::filesystem::path(config.data_dir) / "signing" / "checkpoint.key").string();
  if (path.empty()) {
    breachd::log::Warn("no --signing_key_file: the stores' checkpoints are not signed, so a "
                       "store rewritten wholesale would still verify");
    return absl::OkStatus();
  }
  auto key = create ? breachd::eventstore::SigningKey::LoadOrCreate(path)
                    : breachd::eventstore::SigningKey::Load(path);
  if (!key.ok()) return key.status();
  config.signing_key = std::make_shared<breachd::eventstore::SigningKey>(*std::move(key));
  // After a rotation (breachctl admin rotate-signing-key) the chain beside the key names the keys
  // it replaced, each endorsing the next: their checkpoints still verify.
  const std::string chain_path = breachd::eventstore::KeyChainPath(path);
  if (std::filesystem::exists(chain_path)) {
    auto chain = breachd::eventstore::KeyChain::Load(chain_path);
    if (!chain.ok()) return chain.status();
    if (absl::Status verified = chain->Verify(); !verified.ok()) return verified;
    if (chain->current() != config.signing_key->public_key()) {
      return absl::FailedPreconditionError(absl::StrCat(
          chain_path, " does not end with the key of ", path, ": it is another key's chain"));
    }
    config.earlier_public_keys = chain->PublicKeys();
    config.earlier_public_keys.pop_back();
  }
  config.checkpoint_interval = absl::Seconds(absl::GetFlag(FLAGS_checkpoint_interval_seconds));
  breachd::log::Info("checkpoints are signed",
                     {{"public_key", breachd::eventstore::ToHex(config.signing_key->public_key())},
                      {"key_file", path},
                      {"earlier_keys", std::to_string(config.earlier_public_keys.size())}});
  return absl::OkStatus();
}

bool WriteReadyFile(const std::string& path, const breachd::suite::Suite& suite) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << nlohmann::json{{"endpoint", suite.endpoint()},
                          {"metrics_endpoint", suite.metrics_endpoint()},
                          {"bootstrap_servers", suite.bootstrap_servers()}}
               .dump()
        << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// Sets `out` to a parsed flag's value; false, after one error line, when it did not parse.
template <typename T>
bool Parsed(absl::StatusOr<T> parsed, T& out) {
  if (!parsed.ok()) {
    std::fprintf(stderr, "breachd: %s\n", std::string(parsed.status().message()).c_str());
    return false;
  }
  out = *std::move(parsed);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's Abseil is built with its debug checks, so every Mutex::Lock would record the lock
  // order in a global graph: about 6 % of breachd's CPU in a 10,000-school fan-out. The unit
  // tests, which link the same libraries without this, keep the check.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::SetProgramUsageMessage("Hosts the breach services. See docs/configuration.md.");
  absl::ParseCommandLine(argc, argv);

  // Block the stop signals before any thread starts, so only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto services = breachd::suite::ParseServices(absl::GetFlag(FLAGS_services));
  if (!services.ok()) {
    std::fprintf(stderr, "breachd: %s\n", std::string(services.status().message()).c_str());
    return 2;
  }
  breachd::suite::SuiteConfig config;
  config.services = *services;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.metrics_listen =
      breachd::suite::MetricsListenAddress(absl::GetFlag(FLAGS_metrics_listen), config.listen);
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  config.kafka = absl::GetFlag(FLAGS_kafka);
  config.kafka_properties = absl::GetFlag(FLAGS_kafka_property);
  config.identity_file = absl::GetFlag(FLAGS_identity_file);
  config.dev_identity = absl::GetFlag(FLAGS_dev_identity);
  breachd::suite::TransportFlags transport_flags;
  transport_flags.insecure = absl::GetFlag(FLAGS_insecure);
  transport_flags.dev_tls = absl::GetFlag(FLAGS_dev_tls);
  transport_flags.data_dir = config.data_dir;
  transport_flags.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  transport_flags.tls_key = absl::GetFlag(FLAGS_tls_key);
  transport_flags.tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  transport_flags.tls_ca = absl::GetFlag(FLAGS_tls_ca);
  auto transport = breachd::suite::PrepareTransport(transport_flags);
  if (!transport.ok()) {
    std::fprintf(stderr, "breachd: %s\n", std::string(transport.status().message()).c_str());
    return 2;
  }
  config.transport = transport->security;
  if (absl::Status tokens = ConfigureSignedTokens(config); !tokens.ok()) {
    std::fprintf(stderr, "breachd: %s\n", std::string(tokens.message()).c_str());
    return 2;
  }
  if (absl::Status signing = ConfigureSigning(
          config, config.dev_identity || transport_flags.dev_tls);
      !signing.ok()) {
    std::fprintf(stderr, "breachd: %s\n", std::string(signing.message()).c_str());
    return 2;
  }
  config.master_key_file = absl::GetFlag(FLAGS_master_key_file);
  config.keyring_dir = absl::GetFlag(FLAGS_keyring_dir);
  config.republish = absl::GetFlag(FLAGS_republish);
  config.backup_dir = absl::GetFlag(FLAGS_backup_dir);
  config.siem = absl::GetFlag(FLAGS_siem);
  config.siem_syslog = absl::GetFlag(FLAGS_siem_syslog);
  config.siem_syslog_ca = absl::GetFlag(FLAGS_siem_syslog_ca);
  config.regimes_dir = absl::GetFlag(FLAGS_regimes_dir);
  config.templates_dir = absl::GetFlag(FLAGS_templates_dir);
  config.module_settings = {{"smtp_config", absl::GetFlag(FLAGS_smtp_config)},
                            {"webhook_secret_file", absl::GetFlag(FLAGS_webhook_secret_file)},
                            {"webhook_ca_file", absl::GetFlag(FLAGS_webhook_ca_file)},
                            {"authority_address", absl::GetFlag(FLAGS_authority_address)},
                            {"dispatch_rate", absl::GetFlag(FLAGS_dispatch_rate)},
                            {"fanout_batch_pause_ms", absl::GetFlag(FLAGS_fanout_batch_pause_ms)},
                            {"dispatch_backoff_seconds",
                             absl::GetFlag(FLAGS_dispatch_backoff_seconds)}};
  // In order: each parse may read what the one before set.
  if (!Parsed(breachd::suite::ParsePeers(absl::GetFlag(FLAGS_peers),
                                         absl::GetFlag(FLAGS_self_address)),
              config.peers) ||
      !Parsed(breachd::suite::ParsePartitioned(absl::GetFlag(FLAGS_partitioned), config.services),
              config.partitioned) ||
      !Parsed(breachd::suite::ParseHomePartitions(absl::GetFlag(FLAGS_home_partitions),
                                                  config.partitioned),
              config.home_partitions)) {
    return 2;
  }
  breachd::log::SetComponent(absl::StrJoin(config.services, ","));

  auto suite = breachd::suite::Suite::Start(config);
  if (!suite.ok()) {
    breachd::log::Error("breachd failed to start",
                        {{"error", std::string(suite.status().message())}});
    std::fprintf(stderr, "breachd: %s\n", std::string(suite.status().message()).c_str());
    return 1;
  }
  PrintWelcome(**suite, *transport, config.dev_identity, config);
  const std::string ready_file = absl::GetFlag(FLAGS_ready_file);
  if (!ready_file.empty() && !WriteReadyFile(ready_file, **suite)) {
    std::fprintf(stderr, "breachd: cannot write --ready_file %s\n", ready_file.c_str());
    return 1;
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  breachd::log::Info("stopping", {{"signal", std::to_string(signal_number)}});
  (*suite)->Stop(absl::Seconds(absl::GetFlag(FLAGS_drain_seconds)));
  return 0;
}
