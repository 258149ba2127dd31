// Helpers for the relay tests: plain loopback sockets with bounded waits, and the Kafka wire
// encodings to build frames by hand.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace breachd::bus::testing {

inline constexpr int kTimeoutMs = 5000;

// A socket closed when it goes out of scope.
class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  void Close() {
    close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

inline sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

// A listening socket on 127.0.0.1 (port 0: a free one).
inline Socket Listen(int port = 0) {
  Socket listener(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in address = Loopback(port);
  EXPECT_EQ(bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_EQ(listen(listener.get(), 8), 0);
  return listener;
}

inline int PortOf(const Socket& listener) {
  sockaddr_in address{};
  socklen_t size = sizeof(address);
  getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &size);
  return ntohs(address.sin_port);
}

inline Socket Connect(int port) {
  Socket client(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in address = Loopback(port);
  EXPECT_EQ(connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  return client;
}

inline bool Readable(int fd) {
  pollfd entry = {fd, POLLIN, 0};
  return poll(&entry, 1, kTimeoutMs) == 1;
}

// Accepts one connection, or returns an invalid socket after the timeout.
inline Socket Accept(const Socket& listener) {
  if (!Readable(listener.get())) return Socket();
  return Socket(accept(listener.get(), nullptr, nullptr));
}

// Reads `size` bytes, or fewer if the peer closes or nothing comes within the timeout.
inline std::string Read(int fd, size_t size) {
  std::string data;
  char buffer[64 * 1024];
  while (data.size() < size && Readable(fd)) {
    const ssize_t n = recv(fd, buffer, std::min(sizeof(buffer), size - data.size()), 0);
    if (n <= 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  return data;
}

// Whether the peer closed (or reset) the connection within the timeout.
inline bool PeerClosed(int fd) {
  char byte;
  return Readable(fd) && recv(fd, &byte, 1, 0) <= 0;
}

inline void Send(int fd, const std::string& data) {
  ASSERT_EQ(send(fd, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
}

// Kafka wire encodings, big-endian.
inline std::string Int16(int16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v)}; }
inline std::string Int32(int32_t v) {
  return Int16(static_cast<int16_t>(v >> 16)) + Int16(static_cast<int16_t>(v));
}
inline std::string String(const std::string& s) {
  return Int16(static_cast<int16_t>(s.size())) + s;
}
inline const std::string kNullString = Int16(-1);
inline std::string Frame(const std::string& payload) {
  return Int32(static_cast<int32_t>(payload.size())) + payload;
}

}  // namespace breachd::bus::testing
