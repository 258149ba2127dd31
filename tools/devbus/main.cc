// devbus: a standalone Kafka-protocol bus for development and multi-process tests.
// Runs librdkafka's mock cluster (EmbeddedBroker) behind a TcpRelay on --listen, prints one line
//   bootstrap=HOST:PORT
// on stdout, and serves until SIGTERM or SIGINT. Topics live in memory only.
// The mock brokers bind ephemeral ports; the relay gives clients one address that stays the
// same when devbus is restarted with the same --listen.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "libs/bus/embedded_broker.h"
#include "libs/bus/tcp_relay.h"
#include "libs/common/log.h"

ABSL_FLAG(int, partitions, 6, "partitions of breach.events.v1");
ABSL_FLAG(int, brokers, 1, "number of mock brokers");
ABSL_FLAG(std::string, listen, "127.0.0.1:9092",
          "HOST:PORT that clients bootstrap from; it stays the same across restarts "
          "(port 0 picks a free one)");
ABSL_FLAG(std::string, port_file, "",
          "if set, the --listen port is written to this file once serving");

namespace {

// The first "host:port" of a bootstrap list.
std::string FirstBroker(const std::string& bootstrap) {
  return bootstrap.substr(0, bootstrap.find(','));
}

bool WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content << "\n";
    if (!out.good()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "devbus [--listen=127.0.0.1:9092] [--partitions=6] [--brokers=1] [--port_file=PATH]");
  absl::ParseCommandLine(argc, argv);
  breachd::log::SetComponent("devbus");

  // Block the stop signals before librdkafka starts its threads (they inherit the mask), so
  // that only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  breachd::bus::EmbeddedBrokerOptions options;
  options.brokers = absl::GetFlag(FLAGS_brokers);
  options.events_partitions = absl::GetFlag(FLAGS_partitions);
  auto broker = breachd::bus::EmbeddedBroker::Start(options);
  if (!broker.ok()) {
    std::fprintf(stderr, "devbus: %s\n", broker.status().ToString().c_str());
    return 1;
  }
  // Any broker answers metadata for the whole cluster, so relaying to the first is enough.
  auto relay = breachd::bus::TcpRelay::Start(absl::GetFlag(FLAGS_listen),
                                             FirstBroker((*broker)->bootstrap_servers()));
  if (!relay.ok()) {
    std::fprintf(stderr, "devbus: --listen: %s\n", relay.status().ToString().c_str());
    return 1;
  }
  const std::string bootstrap = (*relay)->address();
  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty() && !WriteFileAtomically(port_file, absl::StrCat((*relay)->port()))) {
    std::fprintf(stderr, "devbus: cannot write port_file %s\n", port_file.c_str());
    return 1;
  }
  std::printf("bootstrap=%s\n", bootstrap.c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  breachd::log::Info("devbus stopping", {{"signal", absl::StrCat(signal_number)}});
  relay->reset();
  broker->reset();
  return 0;
}
