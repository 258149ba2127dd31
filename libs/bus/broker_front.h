// Serves brokers on fixed addresses: broker i (0-based, in the order given) on HOST:PORT+i, or
// on a free port each when PORT is 0. Each address is a TcpRelay to the broker whose Metadata
// and FindCoordinator responses advertise the fixed addresses instead of the brokers' own, so
// clients never learn the mock cluster's ephemeral ports and a devbus restarted on the same
// addresses is, to them, the same cluster, emptied.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/bus/tcp_relay.h"

namespace breachd::bus {

class BrokerFront {
 public:
  // `brokers` is a bootstrap list, "host:port[,host:port...]", as the mock cluster gives it.
  // Errors as TcpRelay::Start.
  static absl::StatusOr<std::unique_ptr<BrokerFront>> Start(const std::string& listen,
                                                            const std::string& brokers);
  ~BrokerFront();  // closes every client connection

  // "HOST:PORT[,HOST:PORT+1...]", for bootstrap.servers.
  const std::string& bootstrap_servers() const { return bootstrap_servers_; }
  // The first broker's port.
  int port() const { return relays_.front()->port(); }

 private:
  BrokerFront() = default;

  std::vector<std::unique_ptr<TcpRelay>> relays_;
  std::string bootstrap_servers_;
};

}  // namespace breachd::bus
