// The SIEM relay's syslog sink: each record as an RFC 5424 message carrying a CEF line (cef.h),
// octet-counted (RFC 6587) over TCP or TLS (OpenSSL, the peer verified against a CA file and its
// name) to a collector. A collector that is down or gone is reconnected with the relay's
// back-off; what it did not take stays behind the checkpoint and is sent after reconnecting.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/siem/siem_relay.h"

namespace breachd::siem {

struct SyslogTarget {
  bool tls = false;
  std::string host;
  int port = 0;
};

// "tcp://HOST:PORT" or "tls://HOST:PORT" (HOST may be [v6]); INVALID_ARGUMENT names the problem.
absl::StatusOr<SyslogTarget> ParseSyslogTarget(const std::string& url);

struct SyslogSinkOptions {
  SyslogTarget target;
  std::string ca_file;   // tls: PEM CAs that verify the collector; empty: the system's roots
  std::string hostname;  // the syslog HOSTNAME field; empty: this machine's name
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration send_timeout = absl::Seconds(10);  // a collector that stops reading
};

class SyslogSink : public SiemSink {
 public:
  // Does not connect yet (the collector may come later); INVALID_ARGUMENT for an unreadable CA.
  static absl::StatusOr<std::unique_ptr<SyslogSink>> Create(SyslogSinkOptions options);
  ~SyslogSink() override;

  std::string name() const override { return "syslog"; }
  size_t Deliver(const std::vector<SiemRecord>& records,
                 const std::atomic<bool>& stopping) override;

 private:
  struct Connection;
  explicit SyslogSink(SyslogSinkOptions options);
  absl::Status Connect();
  absl::Status Send(const std::string& bytes);
  void Disconnect();

  SyslogSinkOptions options_;
  std::unique_ptr<Connection> connection_;
  bool warned_ = false;  // the collector's absence is logged once until it is back
};

}  // namespace breachd::siem
