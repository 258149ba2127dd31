#include "libs/bus/tcp_relay.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"

namespace breachd::bus {
namespace {

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Fd() { Close(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
};

// Resolves "HOST:PORT" to an IPv4 address (the mock brokers are IPv4 only).
absl::StatusOr<sockaddr_in> Resolve(const std::string& text) {
  ASSIGN_OR_RETURN(const HostPort parsed, ParseHostPort(text));
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int err = getaddrinfo(parsed.host.c_str(), nullptr, &hints, &found); err != 0) {
    return absl::InvalidArgumentError(absl::StrCat("address \"", text, "\": ", gai_strerror(err)));
  }
  sockaddr_in address;
  std::memcpy(&address, found->ai_addr, sizeof(address));
  freeaddrinfo(found);
  address.sin_port = htons(static_cast<uint16_t>(parsed.port));
  return address;
}

// Kafka requests are small and latency-bound; Nagle would hold them back behind delayed ACKs.
void SetNoDelay(int fd) {
  const int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

absl::StatusOr<Fd> Connect(const sockaddr_in& target) {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "socket");
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&target), sizeof(target)) != 0) {
    return absl::ErrnoToStatus(errno, "connect");
  }
  SetNoDelay(fd.get());
  return fd;
}

bool SendAll(int fd, std::string_view bytes) {
  const char* data = bytes.data();
  size_t size = bytes.size();
  while (size > 0) {
    // MSG_NOSIGNAL: a peer gone away must end this connection, not the process (SIGPIPE).
    const ssize_t sent = send(fd, data, size, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data += sent;
    size -= static_cast<size_t>(sent);
  }
  return true;
}

// One relayed connection. A blocking thread per direction keeps it simple and never buffers
// more than one read (plus what the filter holds): a slow reader holds back only its own
// direction. Either side closing or failing ends both directions (Kafka has no use for
// half-closed connections).
class Pipe {
 public:
  Pipe(Fd client, Fd upstream, std::unique_ptr<StreamFilter> filter)
      : client_(std::move(client)),
        upstream_(std::move(upstream)),
        filter_(std::move(filter)),
        to_upstream_([this] { Pump(client_.get(), upstream_.get(), &StreamFilter::FromClient); }),
        to_client_([this] { Pump(upstream_.get(), client_.get(), &StreamFilter::FromTarget); }) {}
  // The descriptors close only after both threads are joined, so no thread ever uses a
  // descriptor number that was closed and reused.
  ~Pipe() {
    Shutdown();
    to_upstream_.join();
    to_client_.join();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  bool done() const { return running_.load() == 0; }

 private:
  using Direction = absl::StatusOr<std::string> (StreamFilter::*)(std::string_view);

  void Shutdown() {
    shutdown(client_.get(), SHUT_RDWR);
    shutdown(upstream_.get(), SHUT_RDWR);
  }

  void Pump(int from, int to, Direction filter_direction) {
    std::vector<char> buffer(64 * 1024);
    for (;;) {
      const ssize_t received = recv(from, buffer.data(), buffer.size(), 0);
      if (received < 0 && errno == EINTR) continue;
      if (received <= 0) break;
      const std::string_view bytes(buffer.data(), static_cast<size_t>(received));
      if (filter_ == nullptr) {
        if (!SendAll(to, bytes)) break;
        continue;
      }
      absl::StatusOr<std::string> filtered = (filter_.get()->*filter_direction)(bytes);
      if (!filtered.ok()) {
        log::Warn("tcp relay: closing a connection", {{"error", filtered.status().ToString()}});
        break;
      }
      if (!SendAll(to, *filtered)) break;
    }
    Shutdown();  // wakes the other direction's blocked recv
    running_.fetch_sub(1);
  }

  Fd client_;
  Fd upstream_;
  const std::unique_ptr<StreamFilter> filter_;  // null: bytes pass unchanged
  std::atomic<int> running_{2};
  std::thread to_upstream_;  // declared last: started once the rest is set
  std::thread to_client_;
};

}  // namespace

absl::StatusOr<HostPort> ParseHostPort(const std::string& text) {
  const size_t colon = text.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(text.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("address \"", text, "\": expected HOST:PORT"));
  }
  return HostPort{text.substr(0, colon), port};
}

// Accepts on the listener in its own thread until destroyed; owns the live pipes.
class TcpRelay::Loop {
 public:
  Loop(Fd listener, Fd wake, sockaddr_in target, StreamFilterFactory filters)
      : listener_(std::move(listener)),
        wake_(std::move(wake)),
        target_(target),
        filters_(std::move(filters)),
        thread_([this] { Run(); }) {}
  ~Loop() {
    const uint64_t one = 1;
    if (write(wake_.get(), &one, sizeof(one)) != sizeof(one)) {
      log::Error("tcp relay: cannot wake the accept loop");
    }
    thread_.join();
    pipes_.clear();  // only now, with the accept thread gone
  }

 private:
  void Run() {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    for (;;) {
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        log::Error("tcp relay: poll failed", {{"error", std::strerror(errno)}});
        return;
      }
      if (fds[1].revents != 0) return;
      if (fds[0].revents != 0) Accept();
    }
  }

  void Accept() {
    Fd client(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    std::erase_if(pipes_, [](const std::unique_ptr<Pipe>& pipe) { return pipe->done(); });
    if (!client.valid()) return;  // e.g. the client gave up before we got to it
    SetNoDelay(client.get());
    auto upstream = Connect(target_);
    if (!upstream.ok()) {
      // Dropping the client makes it retry, as with any broker that is not up yet.
      log::Warn("tcp relay: target unreachable", {{"error", upstream.status().ToString()}});
      return;
    }
    pipes_.push_back(std::make_unique<Pipe>(std::move(client), *std::move(upstream),
                                            filters_ ? filters_() : nullptr));
  }

  Fd listener_;
  Fd wake_;
  const sockaddr_in target_;
  const StreamFilterFactory filters_;
  std::vector<std::unique_ptr<Pipe>> pipes_;  // touched by the accept thread only
  std::thread thread_;                        // declared last: started once the rest is set
};

absl::StatusOr<std::unique_ptr<TcpRelay>> TcpRelay::Start(const std::string& listen,
                                                          const std::string& target,
                                                          StreamFilterFactory filters) {
  ASSIGN_OR_RETURN(const sockaddr_in listen_at, Resolve(listen));
  ASSIGN_OR_RETURN(const sockaddr_in target_at, Resolve(target));
  Fd listener(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener.valid()) return absl::ErrnoToStatus(errno, "socket");
  // A restarted devbus must get its port back at once, although the connections of the one
  // that was killed linger in TIME_WAIT.
  const int on = 1;
  setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  const auto* bind_to = reinterpret_cast<const sockaddr*>(&listen_at);
  if (bind(listener.get(), bind_to, sizeof(listen_at)) != 0) {
    const int bind_errno = errno;
    return absl::UnavailableError(
        absl::StrCat("listen on ", listen, ": ", std::strerror(bind_errno)));
  }
  if (::listen(listener.get(), SOMAXCONN) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("listen on ", listen));
  }
  sockaddr_in bound{};
  socklen_t bound_size = sizeof(bound);
  if (getsockname(listener.get(), reinterpret_cast<sockaddr*>(&bound), &bound_size) != 0) {
    return absl::ErrnoToStatus(errno, "getsockname");
  }
  Fd wake(eventfd(0, EFD_CLOEXEC));
  if (!wake.valid()) return absl::ErrnoToStatus(errno, "eventfd");
  const int port = ntohs(bound.sin_port);
  auto loop =
      std::make_unique<Loop>(std::move(listener), std::move(wake), target_at, std::move(filters));
  return std::unique_ptr<TcpRelay>(
      new TcpRelay(std::move(loop), absl::StrCat(ParseHostPort(listen)->host, ":", port), port));
}

TcpRelay::TcpRelay(std::unique_ptr<Loop> loop, std::string address, int port)
    : loop_(std::move(loop)), address_(std::move(address)), port_(port) {}

TcpRelay::~TcpRelay() = default;

}  // namespace breachd::bus
