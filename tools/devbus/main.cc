// devbus: a standalone Kafka-protocol bus for development and multi-process tests.
// Runs librdkafka's mock cluster (EmbeddedBroker) behind a BrokerFront on --listen, prints
//   bootstrap=HOST:PORT
// on stdout, and serves until SIGTERM or SIGINT. Topics live in memory only.
// The mock brokers bind ephemeral ports; the front gives clients addresses that stay the same
// when devbus is restarted with the same --listen, so they reconnect by themselves.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "libs/bus/broker_front.h"
#include "libs/bus/embedded_broker.h"
#include "libs/common/log.h"

ABSL_FLAG(int, partitions, 6, "partitions of breach.events.v1");
ABSL_FLAG(int, brokers, 1, "number of mock brokers");
ABSL_FLAG(std::string, listen, "127.0.0.1:9092",
          "HOST:PORT of the first broker (broker i on PORT+i-1); the same across restarts. "
          "Port 0 picks free ports");
ABSL_FLAG(std::string, port_file, "",
          "if set, the --listen port is written to this file once serving");

namespace {

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
  auto front =
      breachd::bus::BrokerFront::Start(absl::GetFlag(FLAGS_listen), (*broker)->bootstrap_servers());
  if (!front.ok()) {
    std::fprintf(stderr, "devbus: --listen: %s\n", front.status().ToString().c_str());
    return 1;
  }
  const std::string bootstrap = (*front)->bootstrap_servers();
  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty() && !WriteFileAtomically(port_file, absl::StrCat((*front)->port()))) {
    std::fprintf(stderr, "devbus: cannot write port_file %s\n", port_file.c_str());
    return 1;
  }
  std::printf("bootstrap=%s\n", bootstrap.c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  breachd::log::Info("devbus stopping", {{"signal", absl::StrCat(signal_number)}});
  front->reset();
  broker->reset();
  return 0;
}
