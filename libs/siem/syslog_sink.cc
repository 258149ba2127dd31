#include "libs/siem/syslog_sink.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/log.h"
#include "libs/siem/cef.h"

namespace breachd::siem {

struct SyslogSink::Connection {
  int fd = -1;
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  ~Connection() {
    if (ssl != nullptr) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    if (ctx != nullptr) SSL_CTX_free(ctx);
    if (fd >= 0) ::close(fd);
  }
};

namespace {

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown TLS error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof(buffer));
  ERR_clear_error();
  return buffer;
}

// Connects a TCP socket to host:port within `timeout`.
absl::StatusOr<int> ConnectTcp(const SyslogTarget& target, absl::Duration timeout,
                               absl::Duration send_timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = absl::StrCat(target.port);
  if (int err = getaddrinfo(target.host.c_str(), port.c_str(), &hints, &found); err != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", target.host, ": ",
                                               gai_strerror(err)));
  }
  std::string last_error = "no address";
  for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
    int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    const int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = ::connect(fd, address->ai_addr, address->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd waiting{fd, POLLOUT, 0};
      rc = ::poll(&waiting, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
      int error = rc == 0 ? ETIMEDOUT : 0;
      socklen_t length = sizeof(error);
      if (rc > 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
      rc = error == 0 ? 0 : -1;
      errno = error;
    }
    if (rc == 0) {
      ::fcntl(fd, F_SETFL, flags);
      timeval tv = absl::ToTimeval(send_timeout);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      freeaddrinfo(found);
      return fd;
    }
    last_error = std::strerror(errno);
    ::close(fd);
  }
  freeaddrinfo(found);
  return absl::UnavailableError(absl::StrCat("cannot connect to ", target.host, ":", target.port,
                                             ": ", last_error));
}

}  // namespace

absl::StatusOr<SyslogTarget> ParseSyslogTarget(const std::string& url) {
  SyslogTarget target;
  std::string rest;
  if (absl::StartsWith(url, "tcp://")) {
    rest = url.substr(6);
  } else if (absl::StartsWith(url, "tls://")) {
    target.tls = true;
    rest = url.substr(6);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--siem_syslog ", url, ": expected tcp://HOST:PORT or tls://HOST:PORT"));
  }
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(rest.substr(colon + 1), &target.port) || target.port <= 0 ||
      target.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--siem_syslog ", url, ": expected HOST:PORT with a port 1..65535"));
  }
  target.host = rest.substr(0, colon);
  if (target.host.size() > 2 && target.host.front() == '[' && target.host.back() == ']') {
    target.host = target.host.substr(1, target.host.size() - 2);
  }
  return target;
}

absl::StatusOr<std::unique_ptr<SyslogSink>> SyslogSink::Create(SyslogSinkOptions options) {
  if (options.target.host.empty() || options.target.port == 0) {
    return absl::InvalidArgumentError("syslog target: no host or port");
  }
  if (!options.ca_file.empty() && ::access(options.ca_file.c_str(), R_OK) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--siem_syslog_ca ", options.ca_file, ": cannot read it"));
  }
  if (options.hostname.empty()) {
    char name[256] = {};
    if (::gethostname(name, sizeof(name) - 1) == 0) options.hostname = name;
  }
  return std::unique_ptr<SyslogSink>(new SyslogSink(std::move(options)));
}

SyslogSink::SyslogSink(SyslogSinkOptions options) : options_(std::move(options)) {}

SyslogSink::~SyslogSink() = default;

void SyslogSink::Disconnect() { connection_.reset(); }

absl::Status SyslogSink::Connect() {
  auto connection = std::make_unique<Connection>();
  absl::StatusOr<int> fd =
      ConnectTcp(options_.target, options_.connect_timeout, options_.send_timeout);
  if (!fd.ok()) return fd.status();
  connection->fd = *fd;
  if (options_.target.tls) {
    connection->ctx = SSL_CTX_new(TLS_client_method());
    if (connection->ctx == nullptr) return absl::InternalError(OpenSslError());
    SSL_CTX_set_min_proto_version(connection->ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(connection->ctx, SSL_VERIFY_PEER, nullptr);
    const int loaded =
        options_.ca_file.empty()
            ? SSL_CTX_set_default_verify_paths(connection->ctx)
            : SSL_CTX_load_verify_locations(connection->ctx, options_.ca_file.c_str(), nullptr);
    if (loaded != 1) {
      return absl::InvalidArgumentError(absl::StrCat("syslog TLS CA: ", OpenSslError()));
    }
    connection->ssl = SSL_new(connection->ctx);
    SSL_set_fd(connection->ssl, connection->fd);
    SSL_set_tlsext_host_name(connection->ssl, options_.target.host.c_str());
    // The collector's certificate must name the host (or IP address) we dialled.
    X509_VERIFY_PARAM* param = SSL_get0_param(connection->ssl);
    if (X509_VERIFY_PARAM_set1_ip_asc(param, options_.target.host.c_str()) != 1) {
      X509_VERIFY_PARAM_set1_host(param, options_.target.host.c_str(), 0);
    }
    if (SSL_connect(connection->ssl) != 1) {
      const long verified = SSL_get_verify_result(connection->ssl);
      return absl::UnavailableError(absl::StrCat(
          "TLS handshake with ", options_.target.host, ":", options_.target.port, " failed: ",
          verified != X509_V_OK ? X509_verify_cert_error_string(verified) : OpenSslError()));
    }
  }
  connection_ = std::move(connection);
  return absl::OkStatus();
}

absl::Status SyslogSink::Send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n;
    if (connection_->ssl != nullptr) {
      n = SSL_write(connection_->ssl, bytes.data() + sent, static_cast<int>(bytes.size() - sent));
      if (n <= 0) return absl::UnavailableError(absl::StrCat("TLS write: ", OpenSslError()));
    } else {
      n = ::send(connection_->fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return absl::UnavailableError(absl::StrCat("send: ", std::strerror(errno)));
    }
    sent += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

size_t SyslogSink::Deliver(const std::vector<SiemRecord>& records,
                           const std::atomic<bool>& stopping) {
  if (connection_ != nullptr) {
    // A collector never writes to us: a readable socket means it hung up (or reset). Found
    // before writing, not by losing the next batch into a dead connection.
    pollfd check{connection_->fd, POLLIN | POLLRDHUP, 0};
    if (::poll(&check, 1, 0) > 0) {
      log::Warn("siem syslog: the collector closed the connection; reconnecting");
      Disconnect();
    }
  }
  if (connection_ == nullptr) {
    if (absl::Status connected = Connect(); !connected.ok()) {
      if (!warned_) {
        log::Warn("siem syslog: the collector cannot be reached; retrying with back-off",
                  {{"error", connected.ToString()}});
        warned_ = true;
      }
      return 0;
    }
    if (warned_) log::Info("siem syslog: connected to the collector again");
    warned_ = false;
  }
  // Octet-counted framing (RFC 6587 3.4.1), a batch of frames per write.
  constexpr size_t kChunk = 64 * 1024;
  std::string buffer;
  size_t delivered = 0;
  for (size_t i = 0; i < records.size() && !stopping; ++i) {
    const std::string message =
        ToSyslog5424(nlohmann::json::parse(records[i].json), options_.hostname);
    absl::StrAppend(&buffer, message.size(), " ", message);
    if (buffer.size() < kChunk && i + 1 < records.size()) continue;
    if (absl::Status sent = Send(buffer); !sent.ok()) {
      log::Warn("siem syslog: the connection to the collector broke; reconnecting",
                {{"error", sent.ToString()}});
      Disconnect();
      return delivered;
    }
    buffer.clear();
    delivered = i + 1;
  }
  return delivered;
}

}  // namespace breachd::siem
