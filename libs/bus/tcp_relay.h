// A TCP relay: accepts connections on one address and pipes each one, byte for byte, to a
// target address. devbus uses it to listen on a fixed address: librdkafka 2.0.2's mock brokers
// always bind 127.0.0.1 on an ephemeral port (rdkafka_mock.c has no listener setting), so a
// restarted devbus gets new broker ports while the relay's address stays put.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace breachd::bus {

struct HostPort {
  std::string host;
  int port = 0;
};

// Splits "HOST:PORT" (port 0-65535); anything else is INVALID_ARGUMENT.
absl::StatusOr<HostPort> ParseHostPort(const std::string& text);

// Sees, and may change, the bytes of one relayed connection. Each direction calls its method
// from its own thread with the bytes just read and forwards what it returns (which may be
// empty while the filter waits for the rest of a message). An error closes the connection.
class StreamFilter {
 public:
  virtual ~StreamFilter() = default;
  virtual absl::StatusOr<std::string> FromClient(std::string_view bytes) = 0;
  virtual absl::StatusOr<std::string> FromTarget(std::string_view bytes) = 0;
};
// Makes the filter of each new connection.
using StreamFilterFactory = std::function<std::unique_ptr<StreamFilter>()>;

class TcpRelay {
 public:
  // Listens on `listen` and relays each accepted connection to `target`, both "HOST:PORT"
  // (IPv4; HOST a literal or a name). Port 0 in `listen` picks a free port. A malformed address
  // is INVALID_ARGUMENT; one that cannot be bound (taken, not local) is UNAVAILABLE. A target
  // that refuses a connection only closes that client's connection (clients retry).
  // Without `filters` the bytes pass unchanged.
  static absl::StatusOr<std::unique_ptr<TcpRelay>> Start(const std::string& listen,
                                                         const std::string& target,
                                                         StreamFilterFactory filters = nullptr);
  // Stops listening and closes every relayed connection.
  ~TcpRelay();
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  // The address listened on, "HOST:PORT" with the port picked when 0 was asked.
  const std::string& address() const { return address_; }
  int port() const { return port_; }

 private:
  class Loop;
  TcpRelay(std::unique_ptr<Loop> loop, std::string address, int port);

  std::unique_ptr<Loop> loop_;
  std::string address_;
  int port_ = 0;
};

}  // namespace breachd::bus
