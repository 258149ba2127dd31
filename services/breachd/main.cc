// breachd: hosts any subset of the breach services in one process.
//   breachd --services=all --listen=127.0.0.1:50051 --data_dir=var/breachd --kafka=embedded
// Prints the endpoint and the development tokens, serves until SIGTERM/SIGINT, then drains.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/log.h"
#include "nlohmann/json.hpp"
#include "services/breachd/suite.h"

ABSL_FLAG(std::string, services, "all",
          "Services to host: all, or a list of intake,assessment,register");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "gRPC listen address (port 0 picks one)");
ABSL_FLAG(std::string, data_dir, "var/breachd", "Folder for the stores (one subfolder per service)");
ABSL_FLAG(std::string, kafka, "embedded",
          "'embedded' runs librdkafka's mock cluster in-process; anything else is bootstrap.servers");
ABSL_FLAG(std::vector<std::string>, kafka_property, {},
          "Extra librdkafka properties, comma-separated key=value (e.g. security.protocol=ssl)");
ABSL_FLAG(std::string, identity_file, "",
          "Tenants and bearer tokens (JSON); default <data_dir>/identity.json, created on first start");
ABSL_FLAG(bool, republish, false,
          "Re-publish every stored event at start: an operator's tool for consumers outside "
          "breachd; breachd's own consumers catch up from the stores without it");
ABSL_FLAG(std::string, peers, "",
          "gRPC address of each consumed service this process does not host, e.g. "
          "intake=10.0.0.5:50051 (the register catches up from the intake store)");
ABSL_FLAG(std::string, regimes_dir, "",
          "Regime files of the assessment service; default $BREACHD_DATA_DIR/regimes, ./regimes, "
          "or the source tree's");
ABSL_FLAG(std::string, templates_dir, "",
          "Notification templates of the assessment service (defaults as --regimes_dir)");
ABSL_FLAG(std::string, ready_file, "",
          "When set, write {\"endpoint\":...,\"bootstrap_servers\":...} here once serving");
ABSL_FLAG(int, drain_seconds, 10, "How long in-flight calls may run after SIGTERM");

namespace {

void PrintWelcome(const breachd::suite::Suite& suite) {
  std::printf("\nbreachd is ready.\n  endpoint:          %s\n  bootstrap servers: %s\n\n",
              suite.endpoint().c_str(), suite.bootstrap_servers().c_str());
  std::printf("Development tokens (from %s):\n", "the identity file");
  std::string first_token;
  for (const auto& grant : suite.identities().grants()) {
    std::printf("  %-18s %-16s %-12s %s\n", grant.principal.subject.c_str(),
                absl::StrJoin(grant.principal.roles, ",").c_str(), grant.principal.tenant.c_str(),
                grant.token.c_str());
    if (first_token.empty()) first_token = grant.token;
  }
  std::printf("\nTry:\n  export BREACHCTL_ENDPOINT=%s BREACHCTL_TOKEN=%s\n"
              "  build/bin/breachctl breach list\n\n",
              suite.endpoint().c_str(), first_token.c_str());
  std::fflush(stdout);
}

bool WriteReadyFile(const std::string& path, const breachd::suite::Suite& suite) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << nlohmann::json{{"endpoint", suite.endpoint()},
                          {"bootstrap_servers", suite.bootstrap_servers()}}
               .dump()
        << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
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
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  config.kafka = absl::GetFlag(FLAGS_kafka);
  config.kafka_properties = absl::GetFlag(FLAGS_kafka_property);
  config.identity_file = absl::GetFlag(FLAGS_identity_file);
  config.republish = absl::GetFlag(FLAGS_republish);
  config.regimes_dir = absl::GetFlag(FLAGS_regimes_dir);
  config.templates_dir = absl::GetFlag(FLAGS_templates_dir);
  auto peers = breachd::suite::ParsePeers(absl::GetFlag(FLAGS_peers));
  if (!peers.ok()) {
    std::fprintf(stderr, "breachd: %s\n", std::string(peers.status().message()).c_str());
    return 2;
  }
  config.peers = *peers;
  breachd::log::SetComponent(absl::StrJoin(config.services, ","));

  auto suite = breachd::suite::Suite::Start(config);
  if (!suite.ok()) {
    breachd::log::Error("breachd failed to start",
                        {{"error", std::string(suite.status().message())}});
    std::fprintf(stderr, "breachd: %s\n", std::string(suite.status().message()).c_str());
    return 1;
  }
  PrintWelcome(**suite);
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
