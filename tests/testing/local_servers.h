// Real mail and webhook servers on loopback for the delivery channels' tests: the Python
// scripts next to this file (aiosmtpd; http.server), started as child processes, ready when
// they print "ready <port>", stopped when the object goes. TLS uses a CA and a certificate for
// 127.0.0.1/localhost made with libs/grpcutil/certificates.h in the server's scratch folder.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/testing/scratch_dir.h"
#include "tests/testing/process.h"

namespace breachd::testing {

// A CA and a server certificate for 127.0.0.1, ::1 and localhost, as PEM files in `dir`.
struct TestTlsFiles {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};
absl::StatusOr<TestTlsFiles> WriteTestTlsFiles(const std::string& dir);

// A child process that printed "ready <port>".
class ReadyServer {
 public:
  ~ReadyServer();
  int port() const { return port_; }
  const std::string& ca_file() const { return tls_.ca_file; }
  const std::string& folder() const { return dir_.path(); }
  // SIGTERM and wait: the port refuses connections afterwards.
  void Stop();

 protected:
  explicit ReadyServer(const std::string& name) : dir_(name) {}
  // Makes the TLS files when `tls`, then starts `argv` + its --cert/--key and waits (10 s).
  absl::Status Launch(std::vector<std::string> argv, bool tls);

 private:
  ScratchDir dir_;
  TestTlsFiles tls_;
  std::optional<ChildProcess> child_;
  int port_ = 0;
};

struct ReceivedMail {
  std::string mail_from;
  std::vector<std::string> rcpt_tos;
  std::string message_id;
  std::string subject;  // decoded by Python's email package
  std::string text;     // the text/plain part, decoded, "\n" line ends
  std::string html;     // the text/html part, if any
  bool authenticated = false;
  std::string raw;      // the message as received
};

struct LocalSmtpServerOptions {
  enum class Tls { kNone, kStartTls, kImplicit };
  Tls tls = Tls::kStartTls;           // kStartTls: the server requires STARTTLS
  std::string user, password;          // non-empty: AUTH LOGIN/PLAIN required
  std::vector<std::string> refuse;     // "REGEX:CODE": answer CODE to matching recipients
  double hold_reply_seconds = 0;       // store each message, then wait this long before "250"
};

class LocalSmtpServer : public ReadyServer {
 public:
  static absl::StatusOr<std::unique_ptr<LocalSmtpServer>> Start(
      const LocalSmtpServerOptions& options);
  // smtp://127.0.0.1:<port>, or smtps:// with implicit TLS.
  std::string url() const;
  // The messages accepted so far, in order.
  std::vector<ReceivedMail> Messages() const;

 private:
  LocalSmtpServer() : ReadyServer("smtp-server") {}
  bool implicit_tls_ = false;
};

struct WebhookRecord {
  std::string path;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::optional<bool> signature_ok;  // set when the server was given a secret
};

struct LocalWebhookServerOptions {
  bool tls = true;
  std::vector<int> responses;     // answers in order, then 200 forever
  double delay_first_seconds = 0;  // hold the first answer back (client timeouts)
  std::string secret;              // check X-Breachd-Signature with it
};

class LocalWebhookServer : public ReadyServer {
 public:
  static absl::StatusOr<std::unique_ptr<LocalWebhookServer>> Start(
      const LocalWebhookServerOptions& options);
  // https://127.0.0.1:<port>/hook (http:// without TLS).
  std::string url() const;
  std::vector<WebhookRecord> Requests() const;

 private:
  LocalWebhookServer() : ReadyServer("webhook-server") {}
  bool tls_ = true;
};

}  // namespace breachd::testing
