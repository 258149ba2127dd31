// gRPC transport credentials from certificate files: TLS 1.2+ for every server port (optionally
// requiring client certificates: mutual TLS), and the matching channel credentials for every
// client (breachctl, the catch-up SourceReader, tests, benchmarks). Plaintext only when asked
// for by name.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace breachd::grpcutil {

struct ServerTlsFiles {
  std::string cert_file;       // PEM certificate chain of the server
  std::string key_file;        // PEM private key
  std::string client_ca_file;  // when set: clients must present a certificate signed by it
};

struct ClientTlsFiles {
  std::string ca_file;    // PEM roots to verify the server with; empty: the system's roots
  std::string cert_file;  // client certificate for mutual TLS (with key_file), optional
  std::string key_file;
};

// TLS server credentials (gRPC negotiates TLS 1.2 or 1.3). INVALID_ARGUMENT names a file that
// is missing or unreadable, or a certificate without its key.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsServerCredentials(
    const ServerTlsFiles& files);

// TLS channel credentials; same errors.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> TlsChannelCredentials(
    const ClientTlsFiles& files);

// How one process serves and calls others: both credentials, or both plaintext.
struct TransportSecurity {
  std::shared_ptr<grpc::ServerCredentials> server;
  std::shared_ptr<grpc::ChannelCredentials> client;
  bool insecure = false;
};

// Plaintext both ways: only for an explicit --insecure (and tests that ask for it).
TransportSecurity InsecureTransport();

// TLS both ways: the server from `server`; calls to other services trust `peer_ca_file` and,
// when the server requires client certificates, present the server's own certificate.
absl::StatusOr<TransportSecurity> TlsTransport(const ServerTlsFiles& server,
                                               const std::string& peer_ca_file);

}  // namespace breachd::grpcutil
