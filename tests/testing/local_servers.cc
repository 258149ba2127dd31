#include "tests/testing/local_servers.h"

#include <signal.h>

#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/common/files.h"
#include "libs/common/status_macros.h"
#include "libs/grpcutil/certificates.h"
#include "nlohmann/json.hpp"

namespace breachd::testing {
namespace {

constexpr absl::Duration kReadyTimeout = absl::Seconds(10);

std::string Script(const std::string& name) {
  return absl::StrCat(BREACHD_SOURCE_DIR, "/tests/testing/", name);
}

// Each line of a JSON-lines file; a line being written (no newline yet) is left for later.
std::vector<nlohmann::json> JsonLines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;
    nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
    if (!json.is_discarded()) out.push_back(std::move(json));
  }
  return out;
}

}  // namespace

absl::StatusOr<TestTlsFiles> WriteTestTlsFiles(const std::string& dir) {
  ASSIGN_OR_RETURN(grpcutil::KeyAndCertificate ca,
                   grpcutil::NewCertificateAuthority("breachd test CA", absl::Hours(24)));
  grpcutil::CertificateRequest request;
  request.common_name = "127.0.0.1";
  request.dns_names = {"localhost"};
  request.ip_addresses = {"127.0.0.1", "::1"};
  request.not_before = absl::Now() - absl::Hours(1);
  request.not_after = absl::Now() + absl::Hours(24);
  ASSIGN_OR_RETURN(grpcutil::KeyAndCertificate server, grpcutil::IssueCertificate(request, &ca));
  TestTlsFiles files{dir + "/ca.pem", dir + "/server.pem", dir + "/server-key.pem"};
  RETURN_IF_ERROR(WriteFileAtomically(files.ca_file, ca.certificate_pem, 0644));
  RETURN_IF_ERROR(WriteFileAtomically(files.cert_file, server.certificate_pem, 0644));
  RETURN_IF_ERROR(WriteFileAtomically(files.key_file, server.private_key_pem, 0600));
  return files;
}

ReadyServer::~ReadyServer() { Stop(); }

void ReadyServer::Stop() {
  if (child_.has_value()) child_->Signal(SIGTERM);
  child_.reset();
}

absl::Status ReadyServer::Launch(std::vector<std::string> argv, bool tls) {
  if (dir_.path().empty()) return absl::InternalError("cannot make a scratch folder");
  if (tls) {
    ASSIGN_OR_RETURN(tls_, WriteTestTlsFiles(dir_.path()));
    argv.insert(argv.end(), {"--cert", tls_.cert_file, "--key", tls_.key_file});
  }
  ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Start(argv, dir_.path() + "/server"));
  child_.emplace(std::move(child));
  const absl::Time deadline = absl::Now() + kReadyTimeout;
  while (absl::Now() < deadline) {
    const std::string out = child_->Stdout();
    if (const size_t at = out.find("ready "); at != std::string::npos) {
      const size_t end = out.find('\n', at);
      if (end != std::string::npos && absl::SimpleAtoi(out.substr(at + 6, end - at - 6), &port_)) {
        return absl::OkStatus();
      }
    }
    if (!child_->Running()) {
      return absl::UnavailableError(
          absl::StrCat(absl::StrJoin(argv, " "), " exited: ", child_->Stderr()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat(absl::StrJoin(argv, " "), " not ready after ",
                                                  absl::FormatDuration(kReadyTimeout), ": ",
                                                  child_->Stderr()));
}

absl::StatusOr<std::unique_ptr<LocalSmtpServer>> LocalSmtpServer::Start(
    const LocalSmtpServerOptions& options) {
  std::unique_ptr<LocalSmtpServer> server(new LocalSmtpServer());
  std::vector<std::string> argv = {"/usr/bin/python3", Script("smtp_server.py"), "--out",
                                   server->folder()};
  if (!options.user.empty()) {
    argv.insert(argv.end(), {"--user", options.user, "--password", options.password});
  }
  for (const std::string& rule : options.refuse) argv.insert(argv.end(), {"--refuse", rule});
  if (options.hold_reply_seconds > 0) {
    argv.insert(argv.end(), {"--hold-reply", absl::StrCat(options.hold_reply_seconds)});
  }
  server->implicit_tls_ = options.tls == LocalSmtpServerOptions::Tls::kImplicit;
  if (server->implicit_tls_) argv.push_back("--implicit-tls");
  RETURN_IF_ERROR(server->Launch(argv, options.tls != LocalSmtpServerOptions::Tls::kNone));
  return server;
}

std::string LocalSmtpServer::url() const {
  return absl::StrCat(implicit_tls_ ? "smtps" : "smtp", "://127.0.0.1:", port());
}

std::vector<ReceivedMail> LocalSmtpServer::Messages() const {
  std::vector<ReceivedMail> messages;
  for (const nlohmann::json& line : JsonLines(folder() + "/log.jsonl")) {
    ReceivedMail mail;
    mail.mail_from = line.value("mail_from", "");
    mail.rcpt_tos = line.value("rcpt_tos", std::vector<std::string>{});
    mail.message_id = line.value("message_id", "");
    mail.subject = line.value("subject", "");
    mail.text = line.value("text", "");
    mail.html = line.value("html", "");
    mail.authenticated = line.contains("auth") && line["auth"].is_boolean() && line["auth"];
    mail.raw = ReadFile(folder() + "/" + line.value("file", ""));
    messages.push_back(std::move(mail));
  }
  return messages;
}

absl::StatusOr<std::unique_ptr<LocalWebhookServer>> LocalWebhookServer::Start(
    const LocalWebhookServerOptions& options) {
  std::unique_ptr<LocalWebhookServer> server(new LocalWebhookServer());
  server->tls_ = options.tls;
  std::vector<std::string> argv = {"/usr/bin/python3", Script("webhook_server.py"), "--out",
                                   server->folder() + "/requests.jsonl"};
  if (!options.responses.empty()) {
    argv.insert(argv.end(), {"--responses", absl::StrJoin(options.responses, ",")});
  }
  if (options.delay_first_seconds > 0) {
    argv.insert(argv.end(), {"--delay-first", absl::StrCat(options.delay_first_seconds)});
  }
  if (!options.secret.empty()) argv.insert(argv.end(), {"--secret", options.secret});
  RETURN_IF_ERROR(server->Launch(argv, options.tls));
  return server;
}

std::string LocalWebhookServer::url() const {
  return absl::StrCat(tls_ ? "https" : "http", "://127.0.0.1:", port(), "/hook");
}

std::vector<WebhookRecord> LocalWebhookServer::Requests() const {
  std::vector<WebhookRecord> requests;
  for (const nlohmann::json& line : JsonLines(folder() + "/requests.jsonl")) {
    WebhookRecord record;
    record.path = line.value("path", "");
    record.body = line.value("body", "");
    if (line.contains("headers") && line["headers"].is_object()) {
      for (const auto& [name, value] : line["headers"].items()) {
        if (value.is_string()) record.headers[absl::AsciiStrToLower(name)] = value;
      }
    }
    if (line.contains("signature_ok") && line["signature_ok"].is_boolean()) {
      record.signature_ok = line["signature_ok"].get<bool>();
    }
    requests.push_back(std::move(record));
  }
  return requests;
}

}  // namespace breachd::testing
