// devbus: a standalone Kafka-protocol bus for development and multi-process tests.
// Runs librdkafka's mock cluster (EmbeddedBroker) on 127.0.0.1, prints one line
//   bootstrap=127.0.0.1:PORT
// on stdout, and serves until SIGTERM or SIGINT. Topics live in memory only.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "libs/bus/embedded_broker.h"
#include "libs/common/log.h"

ABSL_FLAG(int, partitions, 6, "partitions of breach.events.v1");
ABSL_FLAG(int, brokers, 1, "number of mock brokers");
ABSL_FLAG(std::string, port_file, "",
          "if set, the first broker's port is written to this file once serving");

namespace {

// The port of the first "host:port" in a bootstrap list.
std::string FirstPort(const std::string& bootstrap) {
  const std::string first = bootstrap.substr(0, bootstrap.find(','));
  return first.substr(first.rfind(':') + 1);
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
  absl::SetProgramUsageMessage("devbus [--partitions=6] [--brokers=1] [--port_file=PATH]");
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
  const std::string bootstrap = (*broker)->bootstrap_servers();
  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty() && !WriteFileAtomically(port_file, FirstPort(bootstrap))) {
    std::fprintf(stderr, "devbus: cannot write port_file %s\n", port_file.c_str());
    return 1;
  }
  std::printf("bootstrap=%s\n", bootstrap.c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  breachd::log::Info("devbus stopping", {{"signal", absl::StrCat(signal_number)}});
  broker->reset();
  return 0;
}
